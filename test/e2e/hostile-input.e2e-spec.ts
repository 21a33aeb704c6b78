import { AddressInfo } from 'node:net';
import { Test } from 'supertest';
import { DataSource } from 'typeorm';
import { ThreePidRepository } from '../../src/threepid/domain/ports/three-pid.repository';
import { aThreePid } from '../builders/three-pid.builder';
import { DATABASE_KINDS } from '../support/databases';
import { DatabaseChanges, databaseChanges, snapshotDatabase } from '../support/database-snapshot';
import { FakeIdentityServer } from '../support/fake-identity-server';
import { rawRequest } from '../support/raw-http';
import { SmsWebhook } from '../support/sms-webhook';
import { SmtpSink } from '../support/smtp-sink';
import { startTestApp, TEST_PASSWORD, TestApp } from '../support/test-app';

/**
 * Hostile input, table-driven, over every endpoint: each request below must get a 4xx Matrix error
 * (the e-mail link's pages: a 4xx page), never a 5xx; no mail, SMS or identity-server request goes
 * out, and the database is unchanged afterwards, except where a refusal is rightly recorded (a
 * wrong password or a wrong token counts towards its limit), and then exactly that changes.
 */

const V3 = '/_matrix/client/v3';
const VERSIONS = '/_matrix/client/versions';
const LOGIN = `${V3}/login`;
const WHOAMI = `${V3}/account/whoami`;
const LOGOUT = `${V3}/logout`;
const LOGOUT_ALL = `${V3}/logout/all`;
const CAPABILITIES = `${V3}/capabilities`;
const THREEPIDS = `${V3}/account/3pid`;
const ADD = `${V3}/account/3pid/add`;
const DELETE = `${V3}/account/3pid/delete`;
const BIND = `${V3}/account/3pid/bind`;
const UNBIND = `${V3}/account/3pid/unbind`;
const EMAIL_REQUEST = `${V3}/account/3pid/email/requestToken`;
const MSISDN_REQUEST = `${V3}/account/3pid/msisdn/requestToken`;
const EMAIL_SUBMIT = '/_matrix/client/unstable/add_threepid/email/submit_token';
const MSISDN_SUBMIT = '/_matrix/client/unstable/add_threepid/msisdn/submit_token';
const SERVER_KEY = '/_matrix/key/v2/server';

/** What the server answered, over supertest or a raw socket. */
interface Answer {
  status: number;
  headers: Record<string, unknown>;
  text: string;
}

interface HostileCase {
  name: string;
  send: () => PromiseLike<Answer>;
  status: number;
  /** The Matrix errcode, or `page` for the HTML pages behind the e-mail link. */
  errcode: string;
  /** What a refusal rightly records; nothing else may change. */
  changes?: DatabaseChanges;
}

type Body = string | Buffer | Record<string, unknown>;
type Expectation = [status: number, errcode: string, changes?: DatabaseChanges];

const NOT_JSON: Expectation = [400, 'M_NOT_JSON'];
const BAD_JSON: Expectation = [400, 'M_BAD_JSON'];
const MISSING: Expectation = [400, 'M_MISSING_PARAM'];
const INVALID: Expectation = [400, 'M_INVALID_PARAM'];
const UNKNOWN: Expectation = [400, 'M_UNKNOWN'];
const NOT_TRUSTED: Expectation = [400, 'M_SERVER_NOT_TRUSTED'];
const NO_SESSION: Expectation = [400, 'M_NO_VALID_SESSION'];
const IN_USE: Expectation = [400, 'M_THREEPID_IN_USE'];
const FORBIDDEN: Expectation = [403, 'M_FORBIDDEN'];
const MISSING_TOKEN: Expectation = [401, 'M_MISSING_TOKEN'];
const UNKNOWN_TOKEN: Expectation = [401, 'M_UNKNOWN_TOKEN'];
const UNRECOGNIZED: Expectation = [404, 'M_UNRECOGNIZED'];
const WRONG_METHOD: Expectation = [405, 'M_UNRECOGNIZED'];
const PAGE: Expectation = [400, 'page'];
/** A wrong password, counted under what was typed and against the account: the two rows that may appear. */
const WRONG_PASSWORD: Expectation = [403, 'M_FORBIDDEN', { auth_failed_attempts: { added: 2, removed: 0 } }];
/** A wrong token, counted in its session (token_failures): the session's row changes. */
const WRONG_TOKEN: Expectation = [400, 'M_TOKEN_INCORRECT', { threepid_validation_sessions: { added: 1, removed: 1 } }];

const KIB = 1024;

/** Strings no field expects, for any string field. */
const HOSTILE_STRINGS: [string, string][] = [
  ['an empty string', ''],
  ['white space only', ' \t '],
  ['a NUL', 'a\u0000b'],
  ['control characters', '\u0001\u001b[31m\u007f'],
  ['CRLF and a header', 'a\r\nX-Injected: 1'],
  ['a lone surrogate', 'a\ud800b'],
  ['a right-to-left override', 'a\u202Eb'],
  ['zero-width joiners', 'a\u200D\u200Db'],
  ['combining marks', 'a\u0301\u0302\u0303'],
  ['fullwidth letters', 'ａｂｃ'],
  ['emoji', '😀👍🏽'],
  ['60 KiB', 'x'.repeat(60 * KIB)],
];

/** Values of the wrong JSON type for a string field (null only where the field is required). */
const NOT_STRINGS: [string, unknown][] = [
  ['a number', 42],
  ['a boolean', true],
  ['an array', ['x']],
  ['an object', { x: 'y' }],
];

const BAD_CLIENT_SECRETS: [string, string][] = [
  ['a space', 'monkeys are great'],
  ['256 characters', 'a'.repeat(256)],
  ['an empty string', ''],
  ['accented letters', 'sécret'],
  ['fullwidth letters', 'ｓｅｃｒｅｔ'],
  ['emoji', 'secret😀'],
  ['a NUL', 'secret\u0000'],
  ['CRLF', 'secret\r\n'],
  ['a slash', 'se/cret'],
  ['a percent-escape', 'se%20cret'],
  ['a lone surrogate', 'se\ud800cret'],
  ['a right-to-left override', 'se\u202Ecret'],
];

const BAD_EMAILS: [string, string][] = [
  ['no @', 'someone.example.org'],
  ['two @', 'some@one@example.org'],
  ['a quoted local part', '"some one"@example.org'],
  ['a quoted local part without spaces', '"someone"@example.org'],
  ['an IPv4 literal', 'someone@[127.0.0.1]'],
  ['an IPv6 literal', 'someone@[IPv6:::1]'],
  ['a bare IPv4 address', 'someone@127.0.0.1'],
  ['a single-label domain', 'root@localhost'],
  ['a single-label domain in fullwidth letters', 'root@ｌｏｃａｌｈｏｓｔ'],
  ['a hexadecimal IPv4 address', 'someone@0x7f.1'],
  ['a trailing dot in the domain', 'someone@example.org.'],
  ['a leading dot in the domain', 'someone@.example.org'],
  ['two dots in the domain', 'someone@example..org'],
  ['a space in the domain', 'someone@exa mple.org'],
  ['an underscore in the domain', 'someone@exa_mple.org'],
  ['a leading hyphen in a label', 'someone@-example.org'],
  ['a percent-escape in the domain', 'someone@exam%70le.org'],
  ['a fullwidth solidus in the domain', 'someone@example.org／evil.example'],
  ['an A-label that decodes to ASCII', 'someone@xn--abc-.org'],
  ['a zero-width joiner in the domain', 'someone@exam\u200Dple.org'],
  ['a right-to-left override in the domain', 'someone@exam\u202Eple.org'],
  ['a right-to-left override in the local part', 'adm\u202Enim@example.org'],
  ['a zero-width space in the local part', 'some\u200Bone@example.org'],
  ['a NUL', 'some\u0000one@example.org'],
  ['a header injection', 'someone@example.org\r\nBcc: victim@example.org'],
  ['a lone surrogate', 'some\ud800one@example.org'],
  ['nothing before the @', '@example.org'],
  ['nothing after the @', 'someone@'],
  ['a local part of 65 octets', `${'l'.repeat(65)}@example.org`],
  ['an address of 255 octets', `${'l'.repeat(64)}@${'d'.repeat(63)}.${'d'.repeat(63)}.${'d'.repeat(50)}.example.org`],
  ['a domain label of 64 octets', `someone@${'d'.repeat(64)}.org`],
];

const BAD_PHONE_NUMBERS: [string, string][] = [
  ['words', 'call me maybe'],
  ['too few digits', '0770'],
  ['too many digits', '0770090012345678'],
  ['an extension', '07700900123 ext. 5'],
  ['fullwidth digits', '０７７００９００１２３'],
  ['Arabic-Indic digits', '٠٧٧٠٠٩٠٠١٢٣'],
  ['a NUL', '07700\u0000900123'],
  ['a right-to-left override', '07700\u202E900123'],
  ['only a plus', '+'],
  ['an unknown country code', '+999 123 4567'],
  ['letters after the number', '07700900123abc'],
  ['65 characters', '0'.repeat(65)],
];

/** Stored phone numbers are E.164 digits; these are not (a number of an unknown country code is, in form). */
const BAD_MSISDNS = BAD_PHONE_NUMBERS.filter(([label]) => label !== 'an unknown country code');

const BAD_COUNTRIES: [string, string][] = [
  ['an unknown code', 'XX'],
  ['three letters', 'GBR'],
  ['one letter', 'G'],
  ['an empty string', ''],
  ['digits', '12'],
  ['a NUL', 'G\u0000'],
  ['fullwidth letters', 'ＧＢ'],
  ['a flag', '🇬🇧'],
  ['nine letters', 'ABCDEFGHI'],
];

const BAD_NEXT_LINKS: [string, string][] = [
  ['javascript:', 'javascript:alert(document.cookie)'],
  ['javascript: after slashes', 'javascript://example.org/%0Aalert(1)'],
  ['data:', 'data:text/html,<script>alert(1)</script>'],
  ['file:', 'file:///etc/passwd'],
  ['ftp:', 'ftp://example.org/'],
  ['a relative link', '/done'],
  ['a protocol-relative link', '//evil.example/'],
  ['an empty string', ''],
  ['a user and password', 'http://user:pass@example.org/'],
  ['a user name before the host', 'https://trusted.example@evil.example/'],
  ['over 2000 characters', `https://example.org/${'a'.repeat(2000)}`],
  ['over 4096 characters', `https://example.org/${'a'.repeat(4100)}`],
  ['CRLF and a header', 'https://example.org/\r\nSet-Cookie: a=b'],
  ['a NUL', 'https://example.org/\u0000'],
  ['a space in the host', 'https://exa mple.org/'],
  ['a tab in the host', 'https://exa\tmple.org/'],
  ['leading white space', ' https://example.org/'],
  ['a broken IPv6 literal', 'https://[::1/'],
];

const BAD_ID_SERVERS: [string, string][] = [
  ['a URL', 'https://id.example.org'],
  ['a path', 'id.example.org/_matrix'],
  ['a query', 'id.example.org?x=1'],
  ['CRLF and a header', 'id.example.org\r\nX-Injected: 1'],
  ['user info', 'user@id.example.org'],
  ['fullwidth letters', 'ｉｄ.example.org'],
  ['an internationalised name', 'müller.de'],
  ['a port out of range', 'id.example.org:99999'],
  ['an empty port', 'id.example.org:'],
  ['an unbracketed IPv6 address', '::1'],
  ['a name in brackets', '[id.example.org]'],
  ['hexadecimal IPv4', '0x7f.1'],
  ['a trailing dot', 'id.example.org.'],
  ['an empty string', ''],
  ['a NUL', 'id\u0000.example.org'],
  ['256 characters', 'a'.repeat(256)],
];

const BAD_SESSION_IDS: [string, string][] = [
  ['an empty string', ''],
  ['256 characters', 's'.repeat(256)],
  ['a space', 'a session'],
  ['a NUL', 'sid\u0000'],
  ['CRLF', 'sid\r\nX: 1'],
  ['a slash', '../sid'],
  ['fullwidth letters', 'ｓｉｄ'],
  ['a lone surrogate', 'sid\ud800'],
];

const BAD_SEND_ATTEMPTS: [string, unknown, Expectation][] = [
  ['a string', '1', BAD_JSON],
  ['a fraction', 1.5, BAD_JSON],
  ['a boolean', true, BAD_JSON],
  ['null', null, BAD_JSON],
  ['an array', [1], BAD_JSON],
  ['an object', { n: 1 }, BAD_JSON],
  ['2^53', 2 ** 53, INVALID],
  ['1e300', 1e300, INVALID],
  ['-1e300', -1e300, INVALID],
];

/** Bodies that are no JSON object at all, the same for every endpoint that reads one. */
const MALFORMED_BODIES: [string, string | Buffer, Expectation][] = [
  ['invalid JSON', '{"a":', NOT_JSON],
  ['an empty body', '', NOT_JSON],
  ['bytes that are not UTF-8', Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]), NOT_JSON],
  ['UTF-16 with a byte-order mark', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{}', 'utf16le')]), NOT_JSON],
  ['a UTF-8 byte-order mark before an array', Buffer.from('\ufeff[]', 'utf8'), BAD_JSON],
  ['an array', '[]', BAD_JSON],
  ['a string', '"text"', BAD_JSON],
  ['a number', '42', BAD_JSON],
  ['null', 'null', BAD_JSON],
  ['true', 'true', BAD_JSON],
  ['NaN', 'NaN', NOT_JSON],
  ['two objects', '{} {}', NOT_JSON],
  ['a raw control character in a string', '{"a": "\u0001"}', NOT_JSON],
  ['a raw NUL', '{"a": "\u0000"}', NOT_JSON],
  ['nesting 33 deep', `{"a": ${'['.repeat(32)}${']'.repeat(32)}}`, BAD_JSON],
  ['nesting 20 000 deep', `{"a": ${'['.repeat(20_000)}${']'.repeat(20_000)}}`, BAD_JSON],
  ['70 KiB', JSON.stringify({ a: 'x'.repeat(70 * KIB) }), [413, 'M_TOO_LARGE']],
  ['a __proto__ key', '{"__proto__": {"polluted": true}}', MISSING],
  ['a constructor.prototype key', '{"constructor": {"prototype": {"polluted": true}}}', MISSING],
  ['a lone surrogate as a key', '{"\\ud800": 1}', MISSING],
];

describe.each(DATABASE_KINDS)('hostile input [%s]', (kind) => {
  let t: TestApp;
  let smtp: SmtpSink;
  let sms: SmsWebhook;
  let idServer: FakeIdentityServer;
  let port: number;
  let alice: string;
  let bob: string;
  /** A UIA session bob started. */
  let bobUiaSession: string;
  /** Real validation sessions, for wrong tokens and wrong secrets. */
  const live = { email: { sid: '', clientSecret: 'live-email' }, msisdn: { sid: '', clientSecret: 'live-msisdn' } };

  beforeAll(async () => {
    smtp = await SmtpSink.start();
    sms = await SmsWebhook.start();
    idServer = await FakeIdentityServer.start();
    t = await startTestApp(kind, {
      SMTP_URL: smtp.url,
      SMS_WEBHOOK_URL: sms.url,
      ID_SERVER_SCHEME: 'http',
      ID_SERVER_ALLOWLIST: idServer.address,
      ID_SERVER_TIMEOUT: '1s',
      THREEPID_DEPRECATED_POST_ENABLED: 'true',
      // Limits out of the way: every case must be refused for what it is, not for coming often.
      RATE_LIMIT_DEFAULT: '100000/1s',
      RATE_LIMIT_REQUEST_TOKEN: '100000/1s',
      RATE_LIMIT_FAILED_PASSWORDS: '100000/600s',
    });
    await t.app.listen(0, '127.0.0.1');
    port = (t.app.getHttpServer().address() as AddressInfo).port;
    alice = await t.login('alice');
    bob = await t.login('bob');
    const threePids = t.app.get<ThreePidRepository>(ThreePidRepository);
    await threePids.add(aThreePid().forUser('@alice:test.local').email('alice@example.org').build());
    await threePids.add(aThreePid().forUser('@alice:test.local').msisdn('447700900001').build());
    await threePids.add(aThreePid().forUser('@bob:test.local').email('taken@example.org').build());
    await threePids.add(aThreePid().forUser('@bob:test.local').msisdn('447700900002').build());
    bobUiaSession = (await t.http().post(ADD).auth(bob, { type: 'bearer' }).send({ client_secret: 'bob', sid: 'bob' }).expect(401)).body.session;
    live.email.sid = (
      await t.http().post(EMAIL_REQUEST).send({ client_secret: live.email.clientSecret, email: 'live@example.org', send_attempt: 1 }).expect(200)
    ).body.sid;
    live.msisdn.sid = (
      await t
        .http()
        .post(MSISDN_REQUEST)
        .send({ client_secret: live.msisdn.clientSecret, country: 'GB', phone_number: '07700900003', send_attempt: 1 })
        .expect(200)
    ).body.sid;
  });
  afterAll(async () => {
    await t.close();
    await smtp.stop();
    await sms.stop();
    await idServer.stop();
  });

  // ---- How requests are made ----

  const withToken = (request: Test, token?: string) => (token === undefined ? request : request.auth(token, { type: 'bearer' }));
  const send = (request: Test, body: Body) =>
    Buffer.isBuffer(body)
      ? request.set('Content-Type', 'text/plain').send(body) // supertest would re-encode a Buffer declared as JSON
      : typeof body === 'string'
        ? request.set('Content-Type', 'application/json').send(body)
        : request.send(body);
  const post = (path: string, body: Body, token?: string) => send(withToken(t.http().post(path), token), body);
  const raw = (head: string[], body = '') => rawRequest(port, [...head, 'Host: 127.0.0.1', 'Connection: close', '', body].join('\r\n'));

  const hostile = (name: string, sendIt: () => PromiseLike<Answer>, [status, errcode, changes]: Expectation): HostileCase => ({
    name,
    send: sendIt,
    status,
    errcode,
    changes,
  });

  /** `base` with its (dotted) `field` set to each of the values in turn, each to get `expectation`. */
  const withField = (
    path: string,
    base: () => Record<string, unknown>,
    field: string,
    values: [string, unknown][],
    expectation: Expectation,
    token?: () => string,
  ): HostileCase[] =>
    values.map(([label, value]) => hostile(`${field}: ${label}`, () => post(path, setPath(base(), field, value), token?.()), expectation));

  /** The same field with values of the wrong JSON type, and (if required) null and absent. */
  const wrongTypes = (path: string, base: () => Record<string, unknown>, field: string, required: boolean, token?: () => string) => [
    ...withField(path, base, field, NOT_STRINGS, BAD_JSON, token),
    ...(required
      ? [
          ...withField(path, base, field, [['null', null]], BAD_JSON, token),
          hostile(`${field}: absent`, () => post(path, setPath(base(), field, undefined), token?.()), MISSING),
        ]
      : []),
  ];

  const malformedBodies = (path: string, token?: () => string): HostileCase[] =>
    MALFORMED_BODIES.map(([label, body, expectation]) => hostile(`body: ${label}`, () => post(path, body, token?.()), expectation));

  /** Missing, unknown and malformed access tokens, wherever they can be put. */
  const tokenCases = (method: 'get' | 'post', path: string, body: () => Record<string, unknown> = () => ({})): HostileCase[] => {
    const request = () => {
      const built = method === 'get' ? t.http().get(path) : t.http().post(path);
      return method === 'get' ? built : built.send(body());
    };
    const withQuery = (query: string) => {
      const built = method === 'get' ? t.http().get(`${path}?${query}`) : t.http().post(`${path}?${query}`);
      return method === 'get' ? built : built.send(body());
    };
    return [
      hostile('token: none', () => request(), MISSING_TOKEN),
      hostile('token: unknown, in the header', () => request().set('Authorization', 'Bearer m3p_not-a-token'), UNKNOWN_TOKEN),
      hostile('token: unknown, in the query', () => withQuery('access_token=m3p_not-a-token'), UNKNOWN_TOKEN),
      hostile('token: in the header and the query', () => withQuery(`access_token=${alice}`).set('Authorization', `Bearer ${alice}`), MISSING_TOKEN),
      hostile('token: twice in the query', () => withQuery(`access_token=${alice}&access_token=${alice}`), MISSING_TOKEN),
      hostile('token: an empty query parameter', () => withQuery('access_token='), MISSING_TOKEN),
      hostile('token: "Bearer" twice', () => request().set('Authorization', `Bearer Bearer ${alice}`), MISSING_TOKEN),
      hostile('token: a lower-case scheme, unknown token', () => request().set('Authorization', 'bearer m3p_not-a-token'), UNKNOWN_TOKEN),
      hostile('token: a tab for the space', () => request().set('Authorization', `Bearer\t${alice}`), MISSING_TOKEN),
      hostile('token: the Basic scheme', () => request().set('Authorization', 'Basic YWxpY2U6c2VjcmV0'), MISSING_TOKEN),
      hostile('token: the scheme alone', () => request().set('Authorization', 'Bearer'), MISSING_TOKEN),
      hostile('token: two tokens', () => request().set('Authorization', `Bearer ${alice} ${bob}`), MISSING_TOKEN),
      hostile('token: 10 KiB in the header', () => request().set('Authorization', `Bearer ${'t'.repeat(10 * KIB)}`), UNKNOWN_TOKEN),
      hostile('token: 10 KiB in the query', () => withQuery(`access_token=${'t'.repeat(10 * KIB)}`), UNKNOWN_TOKEN),
      hostile('token: control characters in the query', () => withQuery(`access_token=${alice}%00%01%0D%0A`), UNKNOWN_TOKEN),
      hostile('token: a right-to-left override in the query', () => withQuery(`access_token=%E2%80%AE${alice}`), UNKNOWN_TOKEN),
      hostile('token: Latin-1 letters in the header', () => request().set('Authorization', 'Bearer t\u00f6k\u00e9n'), UNKNOWN_TOKEN),
      hostile('token: only in the body', () => (method === 'get' ? t.http().get(path) : t.http().post(path)).send({ ...body(), access_token: alice }), MISSING_TOKEN),
    ];
  };

  /** Wrong methods and damaged paths, decided before any body or token is looked at. */
  const routingCases = (path: string, methods: string[]): HostileCase[] => [
    ...['PUT', 'DELETE', 'PATCH', 'POST', 'GET']
      .filter((method) => !methods.includes(method))
      .map((method) =>
        hostile(`routing: ${method}, with a body that is not JSON`, () => send(t.http()[method.toLowerCase() as 'put'](path), '{"a":'), WRONG_METHOD),
      ),
    hostile('routing: a NUL after the path', () => t.http().get(`${path}%00`), UNRECOGNIZED),
    hostile('routing: a trailing slash', () => t.http().get(`${path}/`), UNRECOGNIZED),
    hostile('routing: an encoded ../', () => t.http().get(`${path}/..%2F..%2Fversions`), UNRECOGNIZED),
    hostile('routing: a right-to-left override after the path', () => t.http().get(`${path}%E2%80%AE`), UNRECOGNIZED),
    hostile('routing: in upper case', () => t.http().get(path.toUpperCase()), UNRECOGNIZED),
    hostile('routing: an undecodable escape', () => t.http().get(`${path}%zz`), UNRECOGNIZED),
  ];

  // ---- The endpoints ----

  const loginBody = () => ({ type: 'm.login.password', identifier: { type: 'm.id.user', user: 'alice' }, password: 'wrong password' });
  const thirdParty = (address: string) => ({ type: 'm.login.password', identifier: { type: 'm.id.thirdparty', medium: 'email', address }, password: TEST_PASSWORD });
  const addBody = () => ({ client_secret: 'battery', sid: 'battery-sid' });
  const uia = (auth: unknown) => post(ADD, { ...addBody(), auth }, alice);
  const changeBody = () => ({ medium: 'email', address: 'alice@example.org' });
  const bindBody = () => ({ client_secret: 'is_secret', id_server: idServer.address, id_access_token: idServer.accessToken, sid: 'is-session' });
  const legacyBody = () => ({ three_pid_creds: { client_secret: 'battery', sid: 'battery-sid' } });
  const emailBody = () => ({ client_secret: 'battery', email: 'someone@example.org', send_attempt: 1 });
  const msisdnBody = () => ({ client_secret: 'battery', country: 'GB', phone_number: '07700900123', send_attempt: 1 });
  const submitBody = () => ({ sid: 'unknown-sid', client_secret: 'battery', token: '123456' });
  const aliceToken = () => alice;
  const linkQuery = (parameters: Record<string, string | string[]>) =>
    Object.entries(parameters)
      .flatMap(([name, values]) => [values].flat().map((value) => `${name}=${encodeURIComponent(value)}`))
      .join('&');

  /** Cases shared by both requestToken endpoints. */
  const requestTokenCases = (path: string, base: () => Record<string, unknown>): HostileCase[] => [
    ...malformedBodies(path),
    ...withField(path, base, 'client_secret', BAD_CLIENT_SECRETS, INVALID),
    ...wrongTypes(path, base, 'client_secret', true),
    ...BAD_SEND_ATTEMPTS.map(([label, value, expectation]) => hostile(`send_attempt: ${label}`, () => post(path, { ...base(), send_attempt: value }), expectation)),
    hostile('send_attempt: absent', () => post(path, { ...base(), send_attempt: undefined }), MISSING),
    hostile('send_attempt: 1e999, which JSON reads as Infinity', () => post(path, JSON.stringify(base()).replace('"send_attempt":1', '"send_attempt":1e999')), BAD_JSON),
    ...withField(path, base, 'next_link', BAD_NEXT_LINKS, INVALID),
    ...wrongTypes(path, base, 'next_link', false),
    ...withField(path, () => ({ ...base(), id_access_token: 'abc' }), 'id_server', BAD_ID_SERVERS, INVALID),
    ...wrongTypes(path, base, 'id_server', false),
    hostile('id_server: without id_access_token', () => post(path, { ...base(), id_server: 'id.example.org' }), INVALID),
    ...withField(path, () => ({ ...base(), id_server: 'id.example.org' }), 'id_access_token', [['1025 characters', 'a'.repeat(1025)]], INVALID),
    ...wrongTypes(path, base, 'id_access_token', false),
  ];

  const battery: Record<string, HostileCase[]> = {
    [`GET ${VERSIONS}`]: routingCases(VERSIONS, ['GET']),
    [`GET ${SERVER_KEY}`]: routingCases(SERVER_KEY, ['GET']),
    [`GET ${LOGIN}`]: routingCases(LOGIN, ['GET', 'POST']),
    [`POST ${LOGIN}`]: [
      ...malformedBodies(LOGIN),
      ...withField(LOGIN, loginBody, 'type', HOSTILE_STRINGS, UNKNOWN),
      ...wrongTypes(LOGIN, loginBody, 'type', true),
      hostile('type: another login type', () => post(LOGIN, { ...loginBody(), type: 'm.login.token' }), UNKNOWN),
      ...wrongTypes(LOGIN, loginBody, 'identifier', false).filter(({ name }) => name !== 'identifier: an object'),
      hostile('identifier: a string', () => post(LOGIN, { ...loginBody(), identifier: 'alice' }), BAD_JSON),
      hostile('identifier: without a type', () => post(LOGIN, { ...loginBody(), identifier: { user: 'alice' } }), MISSING),
      ...withField(LOGIN, loginBody, 'identifier.type', HOSTILE_STRINGS, UNKNOWN),
      ...wrongTypes(LOGIN, loginBody, 'identifier.type', true),
      hostile('identifier.user: absent', () => post(LOGIN, { ...loginBody(), identifier: { type: 'm.id.user' } }), MISSING),
      ...withField(LOGIN, loginBody, 'identifier.user', HOSTILE_STRINGS, WRONG_PASSWORD),
      ...withField(
        LOGIN,
        loginBody,
        'identifier.user',
        [
          ['a full user ID of another server', '@alice:evil.example'],
          ['a full user ID in fullwidth', '＠ａｌｉｃｅ:test.local'],
          ['a full user ID without a server', '@alice'],
          ['a localpart of 300 characters', 'a'.repeat(300)],
          ['a full user ID of 60 KiB', `@${'a'.repeat(60 * KIB)}:test.local`],
        ],
        WRONG_PASSWORD,
      ),
      ...wrongTypes(LOGIN, loginBody, 'identifier.user', false),
      ...BAD_EMAILS.map(([label, address]) => hostile(`identifier.address: ${label}`, () => post(LOGIN, thirdParty(address)), WRONG_PASSWORD)),
      hostile("identifier.address: alice's address in fullwidth, with a wrong password", () => post(LOGIN, { ...thirdParty('alice@ｅxample.org'), password: 'wrong' }), WRONG_PASSWORD),
      hostile('identifier.medium: unknown', () => post(LOGIN, { ...thirdParty('alice@example.org'), identifier: { type: 'm.id.thirdparty', medium: 'pigeon', address: 'alice@example.org' } }), WRONG_PASSWORD),
      hostile('identifier.medium: absent', () => post(LOGIN, { ...thirdParty('x'), identifier: { type: 'm.id.thirdparty', address: 'alice@example.org' } }), MISSING),
      hostile('identifier.address: absent', () => post(LOGIN, { ...thirdParty('x'), identifier: { type: 'm.id.thirdparty', medium: 'email' } }), MISSING),
      hostile('identifier.address: a number', () => post(LOGIN, { ...thirdParty('x'), identifier: { type: 'm.id.thirdparty', medium: 'email', address: 42 } }), BAD_JSON),
      ...BAD_PHONE_NUMBERS.map(([label, phone]) =>
        hostile(`identifier.phone: ${label}`, () => post(LOGIN, { ...loginBody(), identifier: { type: 'm.id.phone', country: 'GB', phone } }), WRONG_PASSWORD),
      ),
      ...BAD_COUNTRIES.map(([label, country]) =>
        hostile(`identifier.country: ${label}`, () => post(LOGIN, { ...loginBody(), identifier: { type: 'm.id.phone', country, phone: '07700900001' } }), WRONG_PASSWORD),
      ),
      hostile('identifier.phone: absent', () => post(LOGIN, { ...loginBody(), identifier: { type: 'm.id.phone', country: 'GB' } }), MISSING),
      ...withField(LOGIN, loginBody, 'password', HOSTILE_STRINGS, WRONG_PASSWORD),
      ...wrongTypes(LOGIN, loginBody, 'password', false),
      hostile('password: absent', () => post(LOGIN, { ...loginBody(), password: undefined }), MISSING),
      ...withField(LOGIN, () => ({ ...loginBody(), identifier: undefined }), 'user', HOSTILE_STRINGS, WRONG_PASSWORD),
      ...wrongTypes(LOGIN, loginBody, 'user', false),
      ...withField(LOGIN, loginBody, 'device_id', [['an empty string', ''], ['256 characters', 'd'.repeat(256)], ['60 KiB', 'd'.repeat(60 * KIB)]], INVALID),
      ...withField(LOGIN, loginBody, 'device_id', HOSTILE_STRINGS.filter(([label]) => label !== 'an empty string' && label !== '60 KiB'), WRONG_PASSWORD),
      ...wrongTypes(LOGIN, loginBody, 'device_id', false),
      ...withField(LOGIN, loginBody, 'refresh_token', [['a string', 'true'], ['a number', 1]], BAD_JSON),
      ...wrongTypes(LOGIN, loginBody, 'initial_device_display_name', false),
    ],
    [`GET ${WHOAMI}`]: [
      ...tokenCases('get', WHOAMI),
      ...routingCases(WHOAMI, ['GET']),
      hostile('token: a control character in the header (raw)', () => raw([`GET ${WHOAMI} HTTP/1.1`, `Authorization: Bearer ${alice}\u0001`]), [400, 'M_UNKNOWN']),
      hostile('token: UTF-8 in the header (raw)', () => raw([`GET ${WHOAMI} HTTP/1.1`, 'Authorization: Bearer tök\u202Eén']), UNKNOWN_TOKEN),
      hostile('token: two Authorization headers (raw)', () => raw([`GET ${WHOAMI} HTTP/1.1`, `Authorization: Bearer ${alice}`, 'Authorization: Bearer m3p_other']), MISSING_TOKEN),
      hostile('token: a header of 20 KiB (raw)', () => raw([`GET ${WHOAMI} HTTP/1.1`, `Authorization: Bearer ${'t'.repeat(20 * KIB)}`]), [431, 'M_TOO_LARGE']),
      hostile('routing: a NUL in the request line (raw)', () => raw([`GET ${WHOAMI}\u0000 HTTP/1.1`]), [400, 'M_UNKNOWN']),
      hostile('routing: an absolute URL in the request line (raw)', () => raw([`GET http://evil.example${WHOAMI} HTTP/1.1`]), MISSING_TOKEN),
      hostile('body: Content-Length and Transfer-Encoding both (raw)', () => raw([`POST ${LOGIN} HTTP/1.1`, 'Content-Length: 2', 'Transfer-Encoding: chunked'], '0\r\n\r\n'), [400, 'M_UNKNOWN']),
      hostile('body: a folded header line (raw)', () => raw([`GET ${WHOAMI} HTTP/1.1`, 'Authorization: Bearer', ` ${alice}`]), [400, 'M_UNKNOWN']),
    ],
    [`GET ${CAPABILITIES}`]: [...tokenCases('get', CAPABILITIES), ...routingCases(CAPABILITIES, ['GET'])],
    [`GET ${THREEPIDS}`]: [...tokenCases('get', THREEPIDS), ...routingCases(THREEPIDS, ['GET', 'POST'])],
    [`POST ${THREEPIDS}`]: [
      ...tokenCases('post', THREEPIDS, legacyBody),
      ...malformedBodies(THREEPIDS, aliceToken),
      hostile('three_pid_creds: a string', () => post(THREEPIDS, { three_pid_creds: 'creds' }, alice), BAD_JSON),
      hostile('three_pid_creds: an array', () => post(THREEPIDS, { three_pid_creds: [] }, alice), BAD_JSON),
      hostile('three_pid_creds: empty', () => post(THREEPIDS, { three_pid_creds: {} }, alice), MISSING),
      hostile('three_pid_creds: absent', () => post(THREEPIDS, {}, alice), MISSING),
      hostile('threePidCreds: a number', () => post(THREEPIDS, { threePidCreds: 1 }, alice), BAD_JSON),
      ...withField(THREEPIDS, legacyBody, 'three_pid_creds.client_secret', BAD_CLIENT_SECRETS, INVALID, aliceToken),
      ...wrongTypes(THREEPIDS, legacyBody, 'three_pid_creds.client_secret', true, aliceToken),
      ...withField(THREEPIDS, legacyBody, 'three_pid_creds.sid', BAD_SESSION_IDS, INVALID, aliceToken),
      ...wrongTypes(THREEPIDS, legacyBody, 'three_pid_creds.sid', true, aliceToken),
      ...withField(THREEPIDS, () => setPath(legacyBody(), 'three_pid_creds.id_access_token', 'abc'), 'three_pid_creds.id_server', BAD_ID_SERVERS, INVALID, aliceToken),
      ...withField(
        THREEPIDS,
        () => setPath(legacyBody(), 'three_pid_creds.id_access_token', 'abc'),
        'three_pid_creds.id_server',
        [['a server not on the list', 'id.example.org'], ['a private address not on the list', '127.0.0.1:1']],
        NOT_TRUSTED,
        aliceToken,
      ),
      ...withField(
        THREEPIDS,
        () => setPath(legacyBody(), 'three_pid_creds.id_server', 'id.example.org'),
        'three_pid_creds.id_access_token',
        [['a space', 'a b'], ['CRLF and a header', 'a\r\nX-Injected: 1'], ['a NUL', 'a\u0000'], ['non-ASCII', 'tökén'], ['1025 characters', 'a'.repeat(1025)], ['an empty string', '']],
        INVALID,
        aliceToken,
      ),
      hostile('three_pid_creds: an unknown session', () => post(THREEPIDS, legacyBody(), alice), [403, 'M_THREEPID_AUTH_FAILED']),
    ],
    [`POST ${ADD}`]: [
      ...tokenCases('post', ADD, addBody),
      ...malformedBodies(ADD, aliceToken),
      ...withField(ADD, addBody, 'client_secret', BAD_CLIENT_SECRETS, INVALID, aliceToken),
      ...wrongTypes(ADD, addBody, 'client_secret', true, aliceToken),
      ...withField(ADD, addBody, 'sid', BAD_SESSION_IDS, INVALID, aliceToken),
      ...wrongTypes(ADD, addBody, 'sid', true, aliceToken),
      hostile('auth: a string', () => uia('m.login.password'), BAD_JSON),
      hostile('auth: an array', () => uia([{ type: 'm.login.password' }]), BAD_JSON),
      hostile('auth: a number', () => uia(1), BAD_JSON),
      hostile('auth: true', () => uia(true), BAD_JSON),
      hostile('auth: an unknown stage type', () => uia({ type: 'm.login.dummy' }), UNKNOWN),
      hostile('auth: a stage type of 256 characters', () => uia({ type: 't'.repeat(256) }), INVALID),
      hostile('auth: a number as the stage type', () => uia({ type: 1 }), BAD_JSON),
      ...HOSTILE_STRINGS.filter(([label]) => label !== '60 KiB').map(([label, type]) => hostile(`auth.type: ${label}`, () => uia({ type }), UNKNOWN)),
      hostile('auth: an unknown session', () => uia({ type: 'm.login.password', session: 'no-such-session', identifier: { type: 'm.id.user', user: 'alice' }, password: TEST_PASSWORD }), UNKNOWN),
      hostile('auth: a session of 60 KiB', () => uia({ session: 's'.repeat(60 * KIB) }), INVALID),
      hostile('auth: a number as the session', () => uia({ session: 1 }), BAD_JSON),
      ...HOSTILE_STRINGS.filter(([label]) => label !== '60 KiB').map(([label, session]) => hostile(`auth.session: ${label}`, () => uia({ session }), UNKNOWN)),
      hostile("auth: another user's session, with the right password", () => uia({ type: 'm.login.password', session: bobUiaSession, identifier: { type: 'm.id.user', user: 'alice' }, password: TEST_PASSWORD }), FORBIDDEN),
      hostile("auth: another user's credentials", () => uia({ type: 'm.login.password', identifier: { type: 'm.id.user', user: 'bob' }, password: TEST_PASSWORD }), FORBIDDEN),
      hostile("auth: another user's address", () => uia({ type: 'm.login.password', identifier: { type: 'm.id.thirdparty', medium: 'email', address: 'TAKEN@ｅxample.org' }, password: TEST_PASSWORD }), FORBIDDEN),
      hostile('auth: a user of 60 KiB', () => uia({ type: 'm.login.password', identifier: { type: 'm.id.user', user: 'a'.repeat(60 * KIB) }, password: TEST_PASSWORD }), FORBIDDEN),
      hostile('auth: an unknown identifier type', () => uia({ type: 'm.login.password', identifier: { type: 'm.id.pet', name: 'rex' }, password: TEST_PASSWORD }), UNKNOWN),
      hostile('auth: a string as the identifier', () => uia({ type: 'm.login.password', identifier: 'alice', password: TEST_PASSWORD }), BAD_JSON),
      hostile('auth: no password', () => uia({ type: 'm.login.password', identifier: { type: 'm.id.user', user: 'alice' } }), MISSING),
      hostile('auth: no identifier', () => uia({ type: 'm.login.password', password: TEST_PASSWORD }), MISSING),
      hostile('auth: a number as the password', () => uia({ type: 'm.login.password', identifier: { type: 'm.id.user', user: 'alice' }, password: 1 }), BAD_JSON),
      hostile('auth: nested 33 deep', () => uia({ type: 'm.login.password', deep: JSON.parse(`${'['.repeat(32)}${']'.repeat(32)}`) }), BAD_JSON),
      ...routingCases(ADD, ['POST']),
    ],
    // No body to attack (any is ignored): what matters is that no malformed token ends a session.
    [`POST ${LOGOUT}`]: [...tokenCases('post', LOGOUT), ...routingCases(LOGOUT, ['POST'])],
    [`POST ${LOGOUT_ALL}`]: [...tokenCases('post', LOGOUT_ALL), ...routingCases(LOGOUT_ALL, ['POST'])],
    [`POST ${DELETE}`]: [
      ...tokenCases('post', DELETE, changeBody),
      ...malformedBodies(DELETE, aliceToken),
      ...withField(DELETE, changeBody, 'medium', [...HOSTILE_STRINGS, ['an unknown medium', 'pigeon'], ['upper case', 'EMAIL']], INVALID, aliceToken),
      ...wrongTypes(DELETE, changeBody, 'medium', true, aliceToken),
      ...withField(DELETE, changeBody, 'address', [...BAD_EMAILS, ['60 KiB', `${'x'.repeat(60 * KIB)}@example.org`]], INVALID, aliceToken),
      ...withField(DELETE, () => ({ ...changeBody(), medium: 'msisdn' }), 'address', BAD_MSISDNS, INVALID, aliceToken),
      ...wrongTypes(DELETE, changeBody, 'address', true, aliceToken),
      ...withField(DELETE, changeBody, 'id_server', BAD_ID_SERVERS, INVALID, aliceToken),
      ...withField(DELETE, changeBody, 'id_server', [['a server not on the list', 'id.example.org'], ['a private address not on the list', '127.0.0.1:1']], NOT_TRUSTED, aliceToken),
      ...wrongTypes(DELETE, changeBody, 'id_server', false, aliceToken),
      ...routingCases(DELETE, ['POST']),
    ],
    [`POST ${UNBIND}`]: [
      ...tokenCases('post', UNBIND, changeBody),
      ...malformedBodies(UNBIND, aliceToken),
      ...withField(UNBIND, changeBody, 'medium', [...HOSTILE_STRINGS, ['an unknown medium', 'pigeon']], INVALID, aliceToken),
      ...wrongTypes(UNBIND, changeBody, 'medium', true, aliceToken),
      ...withField(UNBIND, changeBody, 'address', BAD_EMAILS, INVALID, aliceToken),
      ...withField(UNBIND, () => ({ ...changeBody(), medium: 'msisdn' }), 'address', BAD_MSISDNS, INVALID, aliceToken),
      ...wrongTypes(UNBIND, changeBody, 'address', true, aliceToken),
      ...withField(UNBIND, changeBody, 'id_server', BAD_ID_SERVERS, INVALID, aliceToken),
      ...withField(UNBIND, changeBody, 'id_server', [['a server not on the list', 'id.example.org'], ['a private address not on the list', '127.0.0.1:1']], NOT_TRUSTED, aliceToken),
      ...wrongTypes(UNBIND, changeBody, 'id_server', false, aliceToken),
      ...routingCases(UNBIND, ['POST']),
    ],
    [`POST ${BIND}`]: [
      ...tokenCases('post', BIND, bindBody),
      ...malformedBodies(BIND, aliceToken),
      ...withField(BIND, bindBody, 'client_secret', BAD_CLIENT_SECRETS, INVALID, aliceToken),
      ...wrongTypes(BIND, bindBody, 'client_secret', true, aliceToken),
      ...withField(BIND, bindBody, 'id_server', BAD_ID_SERVERS, INVALID, aliceToken),
      ...withField(BIND, bindBody, 'id_server', [['a server not on the list', 'id.example.org'], ['a private address not on the list', '127.0.0.1:1']], NOT_TRUSTED, aliceToken),
      ...wrongTypes(BIND, bindBody, 'id_server', true, aliceToken),
      ...withField(
        BIND,
        bindBody,
        'id_access_token',
        [['a space', 'a b'], ['CRLF and a header', 'a\r\nX-Injected: 1'], ['a NUL', 'a\u0000'], ['non-ASCII', 'tökén'], ['1025 characters', 'a'.repeat(1025)], ['an empty string', ''], ['60 KiB', 'a'.repeat(60 * KIB)]],
        INVALID,
        aliceToken,
      ),
      ...wrongTypes(BIND, bindBody, 'id_access_token', true, aliceToken),
      ...withField(BIND, bindBody, 'sid', BAD_SESSION_IDS, INVALID, aliceToken),
      ...wrongTypes(BIND, bindBody, 'sid', true, aliceToken),
      ...routingCases(BIND, ['POST']),
    ],
    [`POST ${EMAIL_REQUEST}`]: [
      ...requestTokenCases(EMAIL_REQUEST, emailBody),
      ...withField(EMAIL_REQUEST, emailBody, 'email', [...BAD_EMAILS, ...HOSTILE_STRINGS, ['513 characters', `${'x'.repeat(501)}@example.org`]], INVALID),
      ...wrongTypes(EMAIL_REQUEST, emailBody, 'email', true),
      ...withField(
        EMAIL_REQUEST,
        emailBody,
        'email',
        [
          ["bob's address", 'taken@example.org'],
          ["bob's address with a fullwidth letter in the domain", 'taken@ｅxample.org'],
          ["bob's address all in fullwidth, with an ideographic full stop", 'TAKEN@ＥＸＡＭＰＬＥ。ＯＲＧ'],
          ["bob's address with a soft hyphen in the domain", 'taken@exam\u00ADple.org'],
          ["bob's address in upper case", 'TAKEN@EXAMPLE.org'],
          ["alice's own address", ' Alice@Example.ORG '],
        ],
        IN_USE,
      ),
      ...routingCases(EMAIL_REQUEST, ['POST']),
    ],
    [`POST ${MSISDN_REQUEST}`]: [
      ...requestTokenCases(MSISDN_REQUEST, msisdnBody),
      ...withField(MSISDN_REQUEST, msisdnBody, 'phone_number', [...BAD_PHONE_NUMBERS, ...HOSTILE_STRINGS], INVALID),
      ...wrongTypes(MSISDN_REQUEST, msisdnBody, 'phone_number', true),
      ...withField(MSISDN_REQUEST, msisdnBody, 'country', [...BAD_COUNTRIES, ...HOSTILE_STRINGS], INVALID),
      ...wrongTypes(MSISDN_REQUEST, msisdnBody, 'country', true),
      ...withField(MSISDN_REQUEST, msisdnBody, 'phone_number', [["bob's number", '07700 900002'], ["bob's number, international", '+44 (7700) 900-002']], IN_USE),
      ...routingCases(MSISDN_REQUEST, ['POST']),
    ],
    [`GET ${EMAIL_SUBMIT}`]: [
      ...pageCases((query) => t.http().get(`${EMAIL_SUBMIT}?${query}`), false),
      ...routingCases(EMAIL_SUBMIT, ['GET', 'POST']),
    ],
    [`POST ${EMAIL_SUBMIT}`]: [
      ...submitTokenCases(EMAIL_SUBMIT, 'email'),
      ...pageCases((query) => t.http().post(`${EMAIL_SUBMIT}?${query}`).type('form').send(''), true),
    ],
    [`POST ${MSISDN_SUBMIT}`]: [...submitTokenCases(MSISDN_SUBMIT, 'msisdn'), ...routingCases(MSISDN_SUBMIT, ['POST'])],
  };

  /** Both submit_token endpoints, with JSON bodies. */
  function submitTokenCases(path: string, medium: 'email' | 'msisdn'): HostileCase[] {
    const other = medium === 'email' ? 'msisdn' : 'email';
    return [
      ...malformedBodies(path),
      ...withField(path, submitBody, 'sid', BAD_SESSION_IDS, INVALID),
      ...wrongTypes(path, submitBody, 'sid', true),
      ...withField(path, submitBody, 'client_secret', BAD_CLIENT_SECRETS, INVALID),
      ...wrongTypes(path, submitBody, 'client_secret', true),
      ...withField(path, submitBody, 'token', HOSTILE_STRINGS.filter(([label]) => label !== '60 KiB'), NO_SESSION),
      ...withField(path, submitBody, 'token', [['256 characters', 't'.repeat(256)], ['60 KiB', 't'.repeat(60 * KIB)]], INVALID),
      ...wrongTypes(path, submitBody, 'token', true),
      hostile('sid: a session of the other medium', () => post(path, { ...submitBody(), sid: live[other].sid, client_secret: live[other].clientSecret }), NO_SESSION),
      hostile("client_secret: not the session's", () => post(path, { ...submitBody(), sid: live[medium].sid, client_secret: 'not-the-secret' }), NO_SESSION),
      hostile('token: a NUL, for a live session', () => post(path, { sid: live[medium].sid, client_secret: live[medium].clientSecret, token: '\u0000' }), WRONG_TOKEN),
      hostile('token: 255 emoji units, for a live session', () => post(path, { sid: live[medium].sid, client_secret: live[medium].clientSecret, token: '😀'.repeat(127) }), WRONG_TOKEN),
    ];
  }

  /** The e-mail link's page (GET) and its confirm button (a form POST), with damaged links: pages, not JSON. */
  function pageCases(open: (query: string) => PromiseLike<Answer>, confirming: boolean): HostileCase[] {
    const verb = confirming ? 'link, confirmed' : 'link';
    const cases = [
      hostile(`${verb}: no parameters`, () => open(''), PAGE),
      hostile(`${verb}: an unknown session`, () => open(linkQuery({ sid: 'unknown-sid', client_secret: 'battery', token: 't' })), PAGE),
      hostile(`${verb}: no token`, () => open(linkQuery({ sid: live.email.sid, client_secret: live.email.clientSecret })), PAGE),
      hostile(`${verb}: a client_secret with a space`, () => open(linkQuery({ sid: live.email.sid, client_secret: 'a b', token: 't' })), PAGE),
      hostile(`${verb}: a client_secret of 10 KiB`, () => open(linkQuery({ sid: live.email.sid, client_secret: 'a'.repeat(10 * KIB), token: 't' })), PAGE),
      hostile(`${verb}: another session's secret`, () => open(linkQuery({ sid: live.email.sid, client_secret: 'not-the-secret', token: 't' })), PAGE),
      hostile(`${verb}: the sid twice`, () => open(linkQuery({ sid: [live.email.sid, 'other'], client_secret: live.email.clientSecret, token: 't' })), PAGE),
      hostile(`${verb}: CRLF in the sid`, () => open(linkQuery({ sid: 'sid\r\nX: 1', client_secret: 'battery', token: 't' })), PAGE),
      hostile(`${verb}: a right-to-left override in the sid`, () => open(linkQuery({ sid: 'sid\u202E', client_secret: 'battery', token: 't' })), PAGE),
      hostile(`${verb}: an msisdn session`, () => open(linkQuery({ sid: live.msisdn.sid, client_secret: live.msisdn.clientSecret, token: 't' })), PAGE),
    ];
    if (confirming) {
      cases.push(
        hostile(`${verb}: a wrong token, a NUL`, () => open(linkQuery({ sid: live.email.sid, client_secret: live.email.clientSecret, token: '\u0000' })), [
          400,
          'page',
          WRONG_TOKEN[2],
        ]),
      );
    }
    return cases;
  }

  // ---- The assertions ----

  const cases = Object.entries(battery).flatMap(([endpoint, list]) => list.map((c) => [`${endpoint} — ${c.name}`, c] as const));
  let tried = 0;
  let serverErrors = 0;

  it('covers every endpoint the OpenAPI document lists', async () => {
    const document = (await t.http().get('/docs-json').expect(200)).body as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(document.paths)
      .filter(([path]) => path.startsWith('/_matrix/'))
      .flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`));
    expect(Object.keys(battery).sort()).toEqual(documented.sort());
  });

  it.each(cases)('%s', async (_name, hostileCase) => {
    const dataSource = t.app.get(DataSource);
    const before = await snapshotDatabase(dataSource);
    const sent = { mail: smtp.recipients.length, sms: sms.messages.length, identityServer: idServer.requests.length };
    const answer = await hostileCase.send();
    tried++;
    if (answer.status >= 500) serverErrors++;

    const contentType = String(answer.headers['content-type'] ?? '');
    const body = hostileCase.errcode === 'page' ? undefined : parseJson(answer.text);
    expect({
      status: answer.status,
      type: hostileCase.errcode === 'page' ? contentType.startsWith('text/html') : contentType.startsWith('application/json'),
      errcode: hostileCase.errcode === 'page' ? 'page' : body?.errcode,
      error: hostileCase.errcode === 'page' ? 'page' : typeof body?.error,
      sent: { mail: smtp.recipients.length, sms: sms.messages.length, identityServer: idServer.requests.length },
      changes: databaseChanges(before, await snapshotDatabase(dataSource)),
      polluted: ({} as Record<string, unknown>).polluted,
    }).toEqual({
      status: hostileCase.status,
      type: true,
      errcode: hostileCase.errcode,
      error: hostileCase.errcode === 'page' ? 'page' : 'string',
      sent,
      changes: hostileCase.changes ?? {},
      polluted: undefined,
    });
  });

  it('tried every case, and none got a 5xx', () => {
    expect({ tried, serverErrors }).toEqual({ tried: cases.length, serverErrors: 0 });
  });
});

/** `object` with the dotted `path` set to `value` (undefined deletes it). */
function setPath(object: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(object);
  const keys = path.split('.');
  let target = copy;
  for (const key of keys.slice(0, -1)) target = (target[key] ??= {}) as Record<string, unknown>;
  if (value === undefined) delete target[keys.at(-1)!];
  else target[keys.at(-1)!] = value;
  return copy;
}

function parseJson(text: string): { errcode?: unknown; error?: unknown } | undefined {
  try {
    return JSON.parse(text) as { errcode?: unknown; error?: unknown };
  } catch {
    return undefined;
  }
}
