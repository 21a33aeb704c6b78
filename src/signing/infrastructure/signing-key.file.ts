import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { FileHandle, link, mkdir, open, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { InvalidConfigError } from '../../config/load-config';
import { SEED_BYTES, SigningKey, unpaddedBase64 } from '../domain/signing-key';

/** The setting that names the file, so that every problem with it can say what to fix. */
const SETTING = 'SIGNING_KEY_PATH';
const EXPECTED = 'expected "ed25519 <version> <base64 seed>"';
/** A key line is about 60 bytes; anything this long is not a key file (and is not read whole). */
const MAX_FILE_BYTES = 4096;
const STANDARD_BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * This server's signing key, kept in Synapse's signing key file format, one line
 * `ed25519 <version> <unpadded base64 of the 32-byte seed>`, so that an operator can move a key
 * between Synapse and this server. Created on first start (mode 0600); every instance pointed at
 * the same file uses the key in it, even when they start at the same moment.
 */
export class SigningKeyFile {
  private readonly logger = new Logger(SigningKeyFile.name);

  constructor(private readonly path: string) {}

  /** The key in the file, which is created first if there is none; InvalidConfigError if it cannot be used. */
  async loadOrCreate(): Promise<SigningKey> {
    const existing = await this.read();
    if (existing) {
      this.logger.log(`Using signing key ${existing.keyId} from ${this.path}`);
      return existing;
    }
    return this.create();
  }

  /** The key in the file, or undefined when there is no file. */
  private async read(): Promise<SigningKey | undefined> {
    let bytes: Buffer;
    try {
      bytes = await readKeyFileBytes(this.path);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return undefined;
      throw this.problem(`: cannot read it (${errorCode(error)})`);
    }
    const parsed = bytes.length > MAX_FILE_BYTES ? 'it is longer than a key file' : parseSigningKeyFile(bytes);
    if (typeof parsed === 'string') throw this.problem(` is not a signing key file: ${EXPECTED} (${parsed})`);
    return parsed;
  }

  /**
   * Writes a new key to a temporary file beside the target, then links it into place: link()
   * refuses to replace an existing file, so when instances start together exactly one key wins and
   * the others read it, and nobody ever sees a half-written file.
   */
  private async create(): Promise<SigningKey> {
    const key = SigningKey.generate();
    const temporary = join(dirname(this.path), `.${basename(this.path)}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      await mkdir(dirname(this.path), { recursive: true });
      await writeSecretFile(temporary, formatSigningKeyFile(key));
    } catch (error) {
      await this.remove(temporary);
      throw this.problem(`: cannot create it (${errorCode(error)})`);
    }
    try {
      await link(temporary, this.path);
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw this.problem(`: cannot create it (${errorCode(error)})`);
      const winner = await this.read();
      // The name exists but leads nowhere: a dangling symbolic link.
      if (!winner) throw this.problem(': cannot read it (ENOENT)');
      this.logger.log(`Using signing key ${winner.keyId} from ${this.path}, created by another instance`);
      return winner;
    } finally {
      await this.remove(temporary);
    }
    this.logger.log(`Created signing key ${key.keyId} in ${this.path}`);
    return key;
  }

  /** The temporary file holds a secret, so failing to remove it is worth a warning. */
  private async remove(temporary: string): Promise<void> {
    try {
      await unlink(temporary);
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') this.logger.warn(`Could not remove ${temporary} (${errorCode(error)}): delete it, it holds a copy of the signing key`);
    }
  }

  /** `statement` follows the setting and the path: `: cannot read it (EACCES)`, ` is not ...`. */
  private problem(statement: string): InvalidConfigError {
    return new InvalidConfigError([`${SETTING} (${this.path})${statement}`]);
  }
}

/** The file's one line, as Synapse writes it (signedjson's write_signing_keys). */
export function formatSigningKeyFile(key: SigningKey): string {
  return `ed25519 ${key.version} ${unpaddedBase64(key.exportSeed())}\n`;
}

/**
 * The key in a signing key file, or what is wrong with it. The reasons never quote the file,
 * which may hold a seed in the wrong place.
 */
export function parseSigningKeyFile(bytes: Uint8Array): SigningKey | string {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return 'it is not text';
  }
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  if (lines.length === 0) return 'it is empty';
  // Synapse would sign with the first of several keys; here the file holds exactly the key in use.
  if (lines.length > 1) return 'it has more than one line';
  const [algorithm, version, seed, ...rest] = lines[0].split(/\s+/);
  if (algorithm !== 'ed25519' || version === undefined || seed === undefined || rest.length > 0) return 'the line is not in that form';
  if (!/^[A-Za-z0-9_]+$/.test(version)) return 'the version may only contain A-Z, a-z, 0-9 and _';
  if (!STANDARD_BASE64.test(seed)) return 'the seed is not base64';
  const decoded = Buffer.from(seed, 'base64');
  if (decoded.length !== SEED_BYTES) return `the seed is ${decoded.length} bytes, not ${SEED_BYTES}`;
  return SigningKey.fromSeed(version, decoded);
}

/**
 * At most MAX_FILE_BYTES + 1 bytes of the file, opened without blocking (a FIFO would otherwise
 * wait for a writer) and checked to be a regular file first. Errors carry an errno code, or a few
 * words where there is none.
 */
async function readKeyFileBytes(path: string): Promise<Buffer> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stats = await handle.stat();
    if (stats.isDirectory()) throw Object.assign(new Error(`${path} is a directory`), { code: 'EISDIR' });
    if (!stats.isFile()) throw Object.assign(new Error(`${path} is not a regular file`), { code: 'not a regular file' });
    const buffer = Buffer.alloc(MAX_FILE_BYTES + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Created here (never an existing file), readable by the owner only, and on disk before it is linked. */
async function writeSecretFile(path: string, content: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, 'wx', 0o600);
    await handle.writeFile(content, 'utf8');
    await handle.sync();
  } finally {
    await handle?.close();
  }
}

/** The errno code (EACCES, EISDIR...): short, and what an operator would search for. */
function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException)?.code ?? 'unknown error';
}
