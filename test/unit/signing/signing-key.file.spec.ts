import { ConsoleLogger, Logger, LoggerService } from '@nestjs/common';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidConfigError } from '../../../src/config/load-config';
import { SigningKey } from '../../../src/signing/domain/signing-key';
import { parseSigningKeyFile, SigningKeyFile } from '../../../src/signing/infrastructure/signing-key.file';

/** The seed of the Matrix appendix's signing test vector, and its public key. */
const SEED = 'YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1';
const PUBLIC_KEY = 'XGX0JRS2Af3be3knz2fBiRbApjm2Dh61gXDJA8kcJNI';

/** What the file code logs, kept to check that no seed is ever among it. */
class RecordingLogger implements LoggerService {
  readonly lines: string[] = [];
  log = (message: unknown) => void this.lines.push(String(message));
  warn = (message: unknown) => void this.lines.push(String(message));
  error = (message: unknown) => void this.lines.push(String(message));
}

async function failure(promise: Promise<unknown>): Promise<InvalidConfigError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(InvalidConfigError);
  return error as InvalidConfigError;
}

describe(SigningKeyFile.name, () => {
  let dir: string;
  let logger: RecordingLogger;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'm3pid-key-'));
    logger = new RecordingLogger();
    Logger.overrideLogger(logger);
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    Logger.overrideLogger(new ConsoleLogger());
  });

  describe('on first start', () => {
    it('creates the file, and the directories it is in, readable by the owner only', async () => {
      const path = join(dir, 'nested', 'deeper', 'signing.key');
      const key = await new SigningKeyFile(path).loadOrCreate();
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(readFileSync(path, 'utf8')).toMatch(new RegExp(`^ed25519 ${key.version} [A-Za-z0-9+/]{43}\n$`));
      expect(key.keyId).toMatch(/^ed25519:a_[A-Za-z0-9]{4}$/);
    });

    it('writes the seed of the key it returns, in the form Synapse reads', async () => {
      const path = join(dir, 'signing.key');
      const key = await new SigningKeyFile(path).loadOrCreate();
      const [algorithm, version, seed] = readFileSync(path, 'utf8').trim().split(' ');
      expect([algorithm, version]).toEqual(['ed25519', key.version]);
      expect(SigningKey.fromSeed(version, Buffer.from(seed, 'base64')).publicKey).toBe(key.publicKey);
    });

    it('leaves no temporary file behind', async () => {
      await new SigningKeyFile(join(dir, 'signing.key')).loadOrCreate();
      expect(readdirSync(dir)).toEqual(['signing.key']);
    });

    it('logs the key ID and where the key is, never the seed', async () => {
      const path = join(dir, 'signing.key');
      const key = await new SigningKeyFile(path).loadOrCreate();
      await new SigningKeyFile(path).loadOrCreate();
      const seed = readFileSync(path, 'utf8').trim().split(' ')[2];
      expect(logger.lines).toEqual([`Created signing key ${key.keyId} in ${path}`, `Using signing key ${key.keyId} from ${path}`]);
      expect(logger.lines.join('\n')).not.toContain(seed);
    });
  });

  it('uses the same key on the next start, and in another instance pointed at the same file', async () => {
    const path = join(dir, 'signing.key');
    const first = await new SigningKeyFile(path).loadOrCreate();
    const again = await new SigningKeyFile(path).loadOrCreate();
    expect([again.keyId, again.publicKey]).toEqual([first.keyId, first.publicKey]);
    expect(again.sign('x')).toBe(first.sign('x'));
  });

  it('gives every instance starting at once the same key, one file and no temporary files', async () => {
    const path = join(dir, 'shared', 'signing.key');
    const keys = await Promise.all(Array.from({ length: 8 }, () => new SigningKeyFile(path).loadOrCreate()));
    expect(new Set(keys.map((key) => `${key.keyId} ${key.publicKey}`)).size).toBe(1);
    expect(readdirSync(join(dir, 'shared'))).toEqual(['signing.key']);
    const onDisk = parseSigningKeyFile(readFileSync(path)) as SigningKey;
    expect(onDisk.publicKey).toBe(keys[0].publicKey);
    expect(logger.lines.filter((line) => line.startsWith('Created'))).toHaveLength(1);
  });

  it.each([
    ['as Synapse writes it', `ed25519 a_AbC1 ${SEED}\n`],
    ['without the final newline', `ed25519 a_AbC1 ${SEED}`],
    ['with Windows line ends and extra blanks', `\r\n  ed25519   a_AbC1\t${SEED}  \r\n\r\n`],
    ['with base64 padding', `ed25519 a_AbC1 ${SEED}=\n`],
  ])('reads a key file %s', async (_case, content) => {
    const path = join(dir, 'signing.key');
    writeFileSync(path, content);
    const key = await new SigningKeyFile(path).loadOrCreate();
    expect([key.keyId, key.publicKey]).toEqual(['ed25519:a_AbC1', PUBLIC_KEY]);
    expect(readFileSync(path, 'utf8')).toBe(content); // left as it was
  });

  describe('stops start-up, naming SIGNING_KEY_PATH and never quoting the seed', () => {
    it.each([
      ['nothing', '', 'it is empty'],
      ['only blank lines', ' \n\n', 'it is empty'],
      ['the seed alone', `${SEED}\n`, 'the line is not in that form'],
      ['no version', `ed25519 ${SEED}\n`, 'the line is not in that form'],
      ['another algorithm', `curve25519 a_AbC1 ${SEED}\n`, 'the line is not in that form'],
      ['something after the seed', `ed25519 a_AbC1 ${SEED} ${SEED}\n`, 'the line is not in that form'],
      ['two keys', `ed25519 a_AbC1 ${SEED}\ned25519 a_AbC2 ${SEED}\n`, 'it has more than one line'],
      ['a bad version', `ed25519 a:b ${SEED}\n`, 'the version may only contain A-Z, a-z, 0-9 and _'],
      ['a seed that is not base64', `ed25519 a_AbC1 ${SEED.slice(0, 40)}!!!\n`, 'the seed is not base64'],
      ['a URL-safe seed', `ed25519 a_AbC1 ${SEED.replace('+', '-')}\n`, 'the seed is not base64'],
      ['a seed of 31 bytes', `ed25519 a_AbC1 ${Buffer.alloc(31, 7).toString('base64')}\n`, 'the seed is 31 bytes, not 32'],
      ['a seed of 64 bytes', `ed25519 a_AbC1 ${Buffer.alloc(64, 7).toString('base64')}\n`, 'the seed is 64 bytes, not 32'],
    ])('for a file that holds %s', async (_case, content, reason) => {
      const path = join(dir, 'signing.key');
      writeFileSync(path, content);
      const error = await failure(new SigningKeyFile(path).loadOrCreate());
      expect(error.problems).toEqual([`SIGNING_KEY_PATH (${path}) is not a signing key file: expected "ed25519 <version> <base64 seed>" (${reason})`]);
      expect(error.message).not.toContain(SEED.slice(0, 12));
    });

    it('for a file that is not text', async () => {
      const path = join(dir, 'signing.key');
      writeFileSync(path, Buffer.from([0xff, 0xfe, 0x00, 0x80]));
      expect((await failure(new SigningKeyFile(path).loadOrCreate())).message).toContain('(it is not text)');
    });

    it('for a file far longer than a key file, without reading it all', async () => {
      const path = join(dir, 'signing.key');
      writeFileSync(path, `ed25519 a_AbC1 ${SEED}\n`.repeat(1000));
      expect((await failure(new SigningKeyFile(path).loadOrCreate())).message).toContain('(it is longer than a key file)');
    });

    /** Each arrangement makes something at a path under `dir` and returns that path. */
    it.each<[string, (dir: string) => void | string, string]>([
      ['a directory', (at) => void mkdirSync(join(at, 'signing.key')), 'EISDIR'],
      ['under a regular file', (at) => (writeFileSync(join(at, 'file'), ''), join(at, 'file', 'signing.key')), 'ENOTDIR'],
      ['a FIFO, which it does not wait on', (at) => void execFileSync('mkfifo', [join(at, 'signing.key')]), 'not a regular file'],
      ['a symbolic link to itself', (at) => symlinkSync(join(at, 'signing.key'), join(at, 'signing.key')), 'ELOOP'],
      ['a symbolic link to nothing', (at) => symlinkSync(join(at, 'missing'), join(at, 'signing.key')), 'ENOENT'],
    ])('when the path is %s: cannot read it', async (_case, arrange, code) => {
      const path = arrange(dir) ?? join(dir, 'signing.key');
      const error = await failure(new SigningKeyFile(path).loadOrCreate());
      expect(error.problems).toEqual([`SIGNING_KEY_PATH (${path}): cannot read it (${code})`]);
    });
  });
});
