import { createPublicKey, generateKeyPairSync, KeyObject, randomBytes, sign, verify } from 'node:crypto';
import { createServer, IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

/** A request as the fake identity server received it. */
export interface ReceivedRequest {
  method: string;
  /** The path with its query, exactly as received (what an X-Matrix signature covers as `uri`). */
  path: string;
  headers: IncomingHttpHeaders;
  /** Every `Authorization` header, in order (`headers` keeps only the first, as node:http does). */
  authorizations: string[];
  /** The parsed JSON body; the raw text when it is not JSON; undefined when empty. */
  body: unknown;
  /** The status it was answered with; undefined while unanswered (or hung). */
  status?: number;
  /**
   * Why the fake refused it, in more detail than its answer gives (an unbind's answer says only
   * "Invalid homeserver signature"), so that a test can assert the reason.
   */
  rejection?: string;
}

/** A 3PID session as the identity server keeps it: what bind and getValidated3pid look up. */
export interface FakeSession {
  sid: string;
  clientSecret: string;
  medium: string;
  address: string;
  /** Default true. */
  validated?: boolean;
  /** Milliseconds since the epoch; default the time the session was added. */
  validatedAt?: number;
}

export interface FakeBinding {
  medium: string;
  address: string;
  mxid: string;
}

/** A canned answer: a string body is sent as it is (text/plain), anything else as JSON. */
export interface CannedResponse {
  status: number;
  body?: unknown;
  contentType?: string;
}

/** A request held unanswered by hangNext(). */
interface Hang {
  hang: (request: ReceivedRequest) => void;
}

const PREFIX = '/_matrix/identity/v2';
const KEY_ID = 'ed25519:0';
/** How long Sydent says an association holds (THREEPID_ASSOCIATION_LIFETIME_MS): 100 years. */
const ASSOCIATION_LIFETIME_MS = 100 * 365 * 24 * 60 * 60 * 1000;
const KEY_FETCH_TIMEOUT_MS = 10_000;

/** A Matrix error the fake answers; `detail` goes to the recorded request only. */
class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly errcode: string,
    readonly error: string,
    readonly detail = error,
  ) {
    super(detail);
  }
}

/** An unbind whose homeserver signature does not hold: always 403 "Invalid homeserver signature". */
class InvalidSignature extends Refusal {
  constructor(detail: string) {
    super(403, 'M_FORBIDDEN', 'Invalid homeserver signature', detail);
  }
}

/**
 * A real HTTP server on 127.0.0.1 standing in for a Matrix identity server (Sydent), for end-to-end
 * tests of the homeserver's identity-server gateway: bind and getValidated3pid with its access
 * token, and unbind authenticated by the homeserver's X-Matrix request signature, checked against
 * the key document the homeserver publishes at `homeserverBaseUrl`/_matrix/key/v2/server, as
 * sydent/hs_federation/verifier.py does. It imports nothing from src/ (its canonical JSON included),
 * so a mistake in ours cannot hide behind the same mistake here.
 * @see spec: api/identity/v2_associations.yaml
 */
export class FakeIdentityServer {
  readonly requests: ReceivedRequest[] = [];
  /** The identity-server access token bind and getValidated3pid accept as `Authorization: Bearer …`. */
  accessToken = randomBytes(16).toString('hex');
  /** Where the homeserver publishes its keys; settable, for a homeserver started after this server. */
  homeserverBaseUrl: string | undefined;
  /** The key this server signs associations with (unpadded base64); its id is {@link keyId}. */
  readonly publicKey: string;
  readonly keyId = KEY_ID;

  private readonly sessions: FakeSession[] = [];
  private readonly bound = new Map<string, FakeBinding>();
  private readonly canned = new Map<string, Array<CannedResponse | Hang>>();
  private readonly privateKey: KeyObject;
  /** Aborts key-document fetches still running at stop(). */
  private readonly stopping = new AbortController();

  private constructor(
    private readonly server: Server,
    homeserverBaseUrl: string | undefined,
  ) {
    this.homeserverBaseUrl = homeserverBaseUrl;
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    this.privateKey = privateKey;
    this.publicKey = fromBase64Url(publicKey.export({ format: 'jwk' }).x as string);
  }

  static async start(options: { homeserverBaseUrl?: string } = {}): Promise<FakeIdentityServer> {
    let fake!: FakeIdentityServer;
    const server = createServer((request, response) => void fake.handle(request, response));
    // A hung request must stay unanswered until stop(): no 408 after node's default five minutes.
    server.requestTimeout = 0;
    server.headersTimeout = 0;
    fake = new FakeIdentityServer(server, options.homeserverBaseUrl);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  /** The `id_server` clients send, "127.0.0.1:<port>"; also this server's name (the `destination` it expects). */
  get address(): string {
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get baseUrl(): string {
    return `http://${this.address}`;
  }

  /** Adds a session as if the user had validated it at this server (unless `validated: false`). */
  addSession(session: FakeSession): void {
    const validated = session.validated ?? true;
    this.sessions.push({ ...session, validated, validatedAt: session.validatedAt ?? (validated ? Date.now() : undefined) });
  }

  /** The associations currently published: bind adds one, a verified unbind removes it. */
  bindings(): FakeBinding[] {
    return [...this.bound.values()].map((binding) => ({ ...binding }));
  }

  /**
   * The next request to this path (query ignored, any method) gets exactly this answer instead of
   * the real logic; several calls queue up in order.
   */
  respondNext(path: string, response: CannedResponse): void {
    this.enqueue(path, response);
  }

  /**
   * The next request to this path is read and recorded but never answered: its connection stays
   * open until stop(). `arrived` resolves with it once it is recorded.
   */
  hangNext(path: string): { arrived: Promise<ReceivedRequest> } {
    let hang!: (request: ReceivedRequest) => void;
    const arrived = new Promise<ReceivedRequest>((resolve) => (hang = resolve));
    this.enqueue(path, { hang });
    return { arrived };
  }

  /** Closes the server and every connection, hung requests and keep-alive sockets included. */
  async stop(): Promise<void> {
    this.stopping.abort();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private enqueue(path: string, entry: CannedResponse | Hang): void {
    const queue = this.canned.get(path) ?? [];
    queue.push(entry);
    this.canned.set(path, queue);
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let received: ReceivedRequest | undefined;
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      const text = Buffer.concat(chunks).toString('utf8');
      received = {
        method: request.method ?? '',
        path: request.url ?? '',
        headers: request.headers,
        authorizations: request.headersDistinct.authorization ?? [],
        body: parseOrText(text),
      };
      this.requests.push(received);

      const pathname = new URL(received.path, 'http://placeholder').pathname;
      const canned = this.canned.get(pathname)?.shift();
      if (canned && 'hang' in canned) return canned.hang(received);
      if (canned) return answerCanned(response, received, canned);

      const body = await this.route(pathname, received, text);
      answer(response, received, 200, body);
    } catch (error: unknown) {
      if (error instanceof Refusal) {
        if (received) received.rejection = error.detail;
        answer(response, received, error.status, { errcode: error.errcode, error: error.error });
      } else {
        if (received) received.rejection = `internal error: ${error instanceof Error ? error.message : String(error)}`;
        answer(response, received, 500, { errcode: 'M_UNKNOWN', error: 'Internal server error' });
      }
    }
  }

  private async route(pathname: string, request: ReceivedRequest, text: string): Promise<object> {
    const endpoints: Record<string, [string, () => object | Promise<object>]> = {
      [`${PREFIX}/3pid/bind`]: ['POST', () => this.bind(request, text)],
      [`${PREFIX}/3pid/getValidated3pid`]: ['GET', () => this.getValidated3pid(request)],
      [`${PREFIX}/3pid/unbind`]: ['POST', () => this.unbind(request, jsonObject(text))],
      [`${PREFIX}/pubkey/${KEY_ID}`]: ['GET', () => ({ public_key: this.publicKey })],
    };
    const endpoint = Object.hasOwn(endpoints, pathname) ? endpoints[pathname] : undefined;
    if (!endpoint) throw new Refusal(404, 'M_UNRECOGNIZED', 'Unrecognized request');
    // spec: M_UNRECOGNIZED with 405 when the endpoint exists but not for this method.
    if (endpoint[0] !== request.method) throw new Refusal(405, 'M_UNRECOGNIZED', 'Unrecognized request');
    return endpoint[1]();
  }

  /** POST /3pid/bind: publishes the session's 3PID for `mxid` and answers the signed association. */
  private bind(request: ReceivedRequest, text: string): object {
    this.authenticateUser(request);
    const { sid, client_secret: clientSecret, mxid } = requireStrings(jsonObject(text), ['sid', 'client_secret', 'mxid']);
    const session = this.validatedSession(sid, clientSecret);
    const ts = Date.now();
    const association = { address: session.address, medium: session.medium, mxid, not_before: ts, not_after: ts + ASSOCIATION_LIFETIME_MS, ts };
    this.bound.set(bindingKey(session.medium, session.address), { medium: session.medium, address: session.address, mxid });
    const signature = toUnpaddedBase64(sign(null, Buffer.from(canonicalJson(association), 'utf8'), this.privateKey));
    return { ...association, signatures: { [this.address]: { [KEY_ID]: signature } } };
  }

  /** GET /3pid/getValidated3pid: what the session validated, and when. */
  private getValidated3pid(request: ReceivedRequest): object {
    this.authenticateUser(request);
    const query = new URL(request.path, 'http://placeholder').searchParams;
    const missing = ['sid', 'client_secret'].filter((name) => !query.has(name));
    if (missing.length) throw new Refusal(400, 'M_MISSING_PARAMS', `Missing parameters: ${missing.join(',')}`);
    const session = this.validatedSession(query.get('sid')!, query.get('client_secret')!);
    return { medium: session.medium, address: session.address, validated_at: session.validatedAt };
  }

  /**
   * POST /3pid/unbind, authenticated by the homeserver's signature (sydent's ThreePidUnbindServlet
   * with hs_federation/verifier.py): the body is checked first, then the X-Matrix header, then the
   * signature against the origin's published key, then that the user belongs to the origin.
   */
  private async unbind(request: ReceivedRequest, body: Record<string, unknown>): Promise<object> {
    const missing = ['threepid', 'mxid'].filter((name) => !(name in body));
    if (missing.length) throw new Refusal(400, 'M_MISSING_PARAMS', `Missing parameters: ${missing.join(',')}`);
    const threepid = body.threepid as Record<string, unknown> | null;
    if (typeof threepid !== 'object' || threepid === null || typeof threepid.medium !== 'string' || typeof threepid.address !== 'string') {
      throw new Refusal(400, 'M_MISSING_PARAMS', 'Threepid lacks medium / address');
    }
    if (typeof body.mxid !== 'string') throw new Refusal(400, 'M_INVALID_PARAM', 'mxid must be a string');

    const origin = await this.verifySignedRequest(request, body);
    const mxidServer = body.mxid.includes(':') ? body.mxid.slice(body.mxid.indexOf(':') + 1) : undefined;
    if (mxidServer !== origin) throw new InvalidSignature(`mxid ${body.mxid} does not belong to the origin ${origin}`);

    // As sydent's removeBinding: only this user's association goes; another user's stays.
    const key = bindingKey(threepid.medium, threepid.address);
    if (this.bound.get(key)?.mxid === body.mxid) this.bound.delete(key);
    return {};
  }

  /** The origin whose X-Matrix signature on this request holds; throws a Refusal otherwise. */
  private async verifySignedRequest(request: ReceivedRequest, content: unknown): Promise<string> {
    const headers = request.authorizations.filter((header) => header.startsWith('X-Matrix'));
    if (!headers.length) throw new Refusal(401, 'M_UNAUTHORIZED', 'Missing X-Matrix Authorization header');
    const signatures = headers.map(parseXMatrix);
    // As sydent: the last header names the origin; only that origin's signatures count.
    const origin = signatures.at(-1)!.origin;
    for (const { destination } of signatures) {
      if (destination !== undefined && destination !== this.address) {
        throw new InvalidSignature(`destination ${JSON.stringify(destination)} is not this server (${this.address})`);
      }
    }
    const verifyKeys = await this.fetchVerifyKeys(origin);
    const signed = canonicalBytes({ method: request.method, uri: request.path, origin, destination_is: this.address, content }, 'request');
    // As sydent: the first signature by a key the origin publishes decides.
    for (const { key, sig } of signatures.filter((signature) => signature.origin === origin)) {
      const publicKey = verifyKeys.get(key);
      if (!publicKey) continue;
      if (!verifyEd25519(signed, sig, publicKey)) throw new InvalidSignature(`request signature by ${key} does not verify`);
      return origin;
    }
    throw new InvalidSignature(`no signature by a key of ${origin}'s key document (${[...verifyKeys.keys()].join(', ')})`);
  }

  /**
   * The origin's current keys from its self-signed key document, fetched from `homeserverBaseUrl`
   * (a real identity server finds the URL through .well-known/SRV).
   * @see spec: server-server API, GET /_matrix/key/v2/server
   */
  private async fetchVerifyKeys(origin: string): Promise<Map<string, KeyObject>> {
    if (!this.homeserverBaseUrl) throw new Error('FakeIdentityServer: homeserverBaseUrl is not set');
    const url = `${this.homeserverBaseUrl.replace(/\/+$/, '')}/_matrix/key/v2/server`;
    let document: unknown;
    try {
      const response = await fetch(url, { signal: AbortSignal.any([this.stopping.signal, AbortSignal.timeout(KEY_FETCH_TIMEOUT_MS)]) });
      const text = await response.text();
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      document = JSON.parse(text);
    } catch (error: unknown) {
      throw new InvalidSignature(`key document from ${url} not fetched: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (typeof document !== 'object' || document === null || Array.isArray(document)) throw new InvalidSignature('key document is not a JSON object');
    const { server_name: serverName, verify_keys: published, signatures } = document as Record<string, unknown>;
    if (serverName !== origin) throw new InvalidSignature(`key document is for ${JSON.stringify(serverName)}, not the origin ${origin}`);
    if (typeof published !== 'object' || published === null) throw new InvalidSignature('key document has no verify_keys');

    const verifyKeys = new Map<string, KeyObject>();
    for (const [keyId, entry] of Object.entries(published)) {
      if (!keyId.startsWith('ed25519:')) continue; // another algorithm: not one this server can use
      const key = (entry as { key?: unknown } | null)?.key;
      const publicKey = typeof key === 'string' ? ed25519PublicKey(key) : undefined;
      if (!publicKey) throw new InvalidSignature(`key document: verify_keys.${keyId} is not an unpadded-base64 ed25519 key`);
      verifyKeys.set(keyId, publicKey);
    }

    // Signed JSON: every signature by a listed key must hold, and there must be at least one.
    const own = (signatures as Record<string, unknown> | undefined)?.[origin];
    const ownSignatures = typeof own === 'object' && own !== null ? Object.entries(own).filter(([keyId]) => verifyKeys.has(keyId)) : [];
    if (!ownSignatures.length) throw new InvalidSignature('key document is not signed by any of its verify_keys');
    const { signatures: _signatures, unsigned: _unsigned, ...unsignedDocument } = document as Record<string, unknown>;
    const signed = canonicalBytes(unsignedDocument, 'key document');
    for (const [keyId, sig] of ownSignatures) {
      if (typeof sig !== 'string' || !verifyEd25519(signed, sig, verifyKeys.get(keyId)!)) {
        throw new InvalidSignature(`key document's self-signature by ${keyId} does not verify`);
      }
    }
    return verifyKeys;
  }

  private authenticateUser(request: ReceivedRequest): void {
    const header = request.headers.authorization;
    if (!header?.startsWith('Bearer ')) throw new Refusal(401, 'M_UNAUTHORIZED', 'Unrecognised access token', 'no Bearer access token');
    if (header.slice('Bearer '.length).trim() !== this.accessToken) {
      throw new Refusal(401, 'M_UNAUTHORIZED', 'Unrecognised access token', 'wrong access token');
    }
  }

  /** sydent's getValidatedSession: an unknown sid and a wrong secret are the same 404, so neither leaks. */
  private validatedSession(sid: string, clientSecret: string): FakeSession & { validatedAt: number } {
    const session = this.sessions.find((candidate) => candidate.sid === sid && candidate.clientSecret === clientSecret);
    if (!session) throw new Refusal(404, 'M_NO_VALID_SESSION', 'No valid session was found matching that sid and client secret');
    if (!session.validated) throw new Refusal(400, 'M_SESSION_NOT_VALIDATED', 'This validation session has not yet been completed');
    return session as FakeSession & { validatedAt: number };
  }
}

interface XMatrixSignature {
  origin: string;
  destination?: string;
  key: string;
  sig: string;
}

/**
 * `X-Matrix origin=<name>,destination="<name>",key="ed25519:<v>",sig="<base64>"`: split on `,`,
 * then each part on its first `=`; values quoted or not.
 * @see spec: server-server API, Request Authentication
 */
function parseXMatrix(header: string): XMatrixSignature {
  const malformed = (why: string) => new Refusal(401, 'M_UNAUTHORIZED', 'Malformed X-Matrix Authorization header', `malformed X-Matrix header (${why}): ${header}`);
  const match = /^X-Matrix\s+(.*)$/s.exec(header);
  if (!match) throw malformed('no parameters');
  const params = new Map<string, string>();
  for (const part of match[1].split(',')) {
    const equals = part.indexOf('=');
    if (equals < 0) throw malformed(`"${part}" has no "="`);
    const name = part.slice(0, equals).trim();
    let value = part.slice(equals + 1).trim();
    if (value.startsWith('"')) {
      if (value.length < 2 || !value.endsWith('"')) throw malformed(`unterminated quote in ${name}`);
      value = value.slice(1, -1).replace(/\\(.)/g, '$1');
    }
    params.set(name, value);
  }
  const [origin, key, sig] = ['origin', 'key', 'sig'].map((name) => params.get(name));
  if (!origin || !key || !sig) throw malformed('origin, key and sig are required');
  return { origin, key, sig, destination: params.get('destination') };
}

/**
 * Matrix canonical JSON, written here on purpose rather than imported: object keys sorted by code
 * point at every level, no white space, integers only (in the safe range), strings as JSON.stringify
 * writes them (UTF-8, only the escapes JSON requires).
 * @see spec: appendices, Canonical JSON
 */
function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new TypeError(`canonical JSON allows only integers in [-(2^53)+1, 2^53-1], not ${value}`);
    return String(value);
  }
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => compareCodePoints(a, b));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  throw new TypeError(`canonical JSON has no ${typeof value}`);
}

/** Code-point order; JavaScript's own string order compares UTF-16 code units, which differs above U+FFFF. */
function compareCodePoints(a: string, b: string): number {
  const left = Array.from(a);
  const right = Array.from(b);
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const difference = left[i].codePointAt(0)! - right[i].codePointAt(0)!;
    if (difference !== 0) return difference;
  }
  return left.length - right.length;
}

function canonicalBytes(value: unknown, what: string): Buffer {
  try {
    return Buffer.from(canonicalJson(value), 'utf8');
  } catch (error: unknown) {
    throw new InvalidSignature(`${what} has no canonical JSON: ${(error as Error).message}`);
  }
}

const UNPADDED_BASE64 = /^[A-Za-z0-9+/]*$/;

function fromUnpaddedBase64(text: string): Buffer | undefined {
  return UNPADDED_BASE64.test(text) && text.length % 4 !== 1 ? Buffer.from(text, 'base64') : undefined;
}

function toUnpaddedBase64(bytes: Buffer): string {
  return bytes.toString('base64').replace(/=+$/, '');
}

function fromBase64Url(text: string): string {
  return toUnpaddedBase64(Buffer.from(text, 'base64url'));
}

function ed25519PublicKey(unpaddedBase64: string): KeyObject | undefined {
  const raw = fromUnpaddedBase64(unpaddedBase64);
  if (raw?.length !== 32) return undefined;
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
}

/** Signatures are unpadded base64 (spec); a padded or URL-safe one is refused, though some servers let it through. */
function verifyEd25519(data: Buffer, signature: string, publicKey: KeyObject): boolean {
  const raw = fromUnpaddedBase64(signature);
  return raw?.length === 64 && verify(null, data, publicKey, raw);
}

function bindingKey(medium: string, address: string): string {
  return JSON.stringify([medium, address]);
}

function parseOrText(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function jsonObject(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Refusal(400, 'M_NOT_JSON', 'Content not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Refusal(400, 'M_BAD_JSON', 'Content must be a JSON object');
  return value as Record<string, unknown>;
}

function requireStrings<K extends string>(body: Record<string, unknown>, names: K[]): Record<K, string> {
  const missing = names.filter((name) => body[name] === undefined);
  if (missing.length) throw new Refusal(400, 'M_MISSING_PARAMS', `Missing parameters: ${missing.join(',')}`);
  const wrong = names.filter((name) => typeof body[name] !== 'string');
  if (wrong.length) throw new Refusal(400, 'M_INVALID_PARAM', `Not strings: ${wrong.join(',')}`);
  return body as Record<K, string>;
}

function answer(response: ServerResponse, received: ReceivedRequest | undefined, status: number, body: object): void {
  if (received) received.status = status;
  if (response.headersSent) return void response.destroy();
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function answerCanned(response: ServerResponse, received: ReceivedRequest, canned: CannedResponse): void {
  received.status = canned.status;
  const text = canned.body === undefined ? '' : typeof canned.body === 'string' ? canned.body : JSON.stringify(canned.body);
  const contentType = canned.contentType ?? (canned.body === undefined ? undefined : typeof canned.body === 'string' ? 'text/plain' : 'application/json');
  response.writeHead(canned.status, contentType ? { 'content-type': contentType } : {}).end(text);
}
