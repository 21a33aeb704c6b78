import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { Response } from 'supertest';
import { ADD, DELETE, EMAIL_REQUEST, MSISDN_REQUEST, MSISDN_SUBMIT, THREEPIDS } from '../support/client';
import { FakeIdentityServer } from '../support/fake-identity-server';
import { SmsWebhook } from '../support/sms-webhook';
import { SmtpSink } from '../support/smtp-sink';
import { loadSpecOperations, loadSpecSchema, type OpenApiOperation, type Schema } from '../support/spec';
import { startAnotherInstance, startTestApp, TEST_PASSWORD, TestApp } from '../support/test-app';

const BIND = '/_matrix/client/v3/account/3pid/bind';
const UNBIND = '/_matrix/client/v3/account/3pid/unbind';
const OPERATIONS = new Map<string, OpenApiOperation>(loadSpecOperations('administrative_contact.yaml').map(({ operation }) => [operation.operationId, operation]));
const ERROR = loadSpecSchema('definitions/errors/error.yaml');
const RATE_LIMITED = loadSpecSchema('definitions/errors/rate_limited.yaml');

const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats(ajv);
// Annotations the spec's schemas carry besides JSON Schema's own.
ajv.addVocabulary(['example', 'x-changedInMatrixVersion']);
const validators = new Map<Schema, ValidateFunction>();
const validatorOf = (schema: Schema) => validators.get(schema) ?? validators.set(schema, ajv.compile(schema)).get(schema)!;

/**
 * The spec's schema for an answer of an operation: the one it documents for that status; for a
 * status it does not document, the standard error (rate_limited.yaml for a 429). Access-token
 * errors are standard errors on every endpoint, /3pid/add's 401 included (its documented 401 is
 * User-Interactive Authentication's).
 */
function specSchemaFor(operationId: string, status: number, body: { errcode?: string }): { name: string; schema: Schema } {
  const documented = OPERATIONS.get(operationId)!.responses[String(status)]?.content?.['application/json']?.schema;
  const tokenError = status === 401 && (body.errcode === 'M_MISSING_TOKEN' || body.errcode === 'M_UNKNOWN_TOKEN');
  if (documented && !tokenError) return { name: `${operationId} ${status}`, schema: documented };
  if (status === 429) return { name: 'errors/rate_limited.yaml', schema: RATE_LIMITED };
  if (status >= 400) return { name: 'errors/error.yaml', schema: ERROR };
  throw new Error(`${operationId} answered ${status}, which the spec does not document`);
}

let sessionCount = 0;

describe('real answers of a whole flow, against the schemas of administrative_contact.yaml (ajv)', () => {
  let t: TestApp;
  let deprecatedOff: TestApp;
  let smtp: SmtpSink;
  let sms: SmsWebhook;
  let idServer: FakeIdentityServer;
  let alice: string;
  const seen: { operationId: string; status: number }[] = [];

  /** Checks the answer against the spec's schema for its operation and status; returns it. */
  const conforming = async (operationId: string, pending: PromiseLike<Response>): Promise<Response> => {
    const response = await pending;
    const { name, schema } = specSchemaFor(operationId, response.status, response.body);
    const validate = validatorOf(schema);
    const valid = validate(response.body);
    expect({ operationId, status: response.status, schema: name, errors: valid ? '' : ajv.errorsText(validate.errors) }).toEqual({
      operationId,
      status: response.status,
      schema: name,
      errors: '',
    });
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    // "the keys error and errcode MUST always be present" (spec: standard error response); a UIA 401 carries neither unless a stage failed.
    if (response.status >= 400 && response.body.errcode !== undefined) expect(typeof response.body.error).toBe('string');
    seen.push({ operationId, status: response.status });
    return response;
  };
  const as = (token: string, path: string, body: object) => t.http().post(path).auth(token, { type: 'bearer' }).send(body);
  const passwordAuth = (session: string, password = TEST_PASSWORD, user = 'alice') => ({
    type: 'm.login.password',
    session,
    identifier: { type: 'm.id.user', user },
    password,
  });

  /** requestToken, then the link of the e-mail confirmed as a browser does. */
  const validatedEmail = async (email: string) => {
    const clientSecret = `conformance-${++sessionCount}`;
    const { sid } = (await conforming('requestTokenTo3PIDEmail', t.http().post(EMAIL_REQUEST).send({ client_secret: clientSecret, email, send_attempt: 1 }))).body;
    const link = smtp.lastLink();
    await t.http().post(link.pathname + link.search).type('form').send('').expect(200);
    return { sid, client_secret: clientSecret };
  };
  /** /3pid/add in two steps, each answer checked. */
  const addWithUia = async (token: string, credentials: object, user = 'alice') => {
    const challenge = await conforming('add3PID', as(token, ADD, credentials));
    expect(challenge.status).toBe(401);
    return conforming('add3PID', as(token, ADD, { ...credentials, auth: passwordAuth(challenge.body.session, TEST_PASSWORD, user) }));
  };

  beforeAll(async () => {
    smtp = await SmtpSink.start();
    sms = await SmsWebhook.start();
    idServer = await FakeIdentityServer.start();
    t = await startTestApp('sqlite', {
      SMTP_URL: smtp.url,
      SMS_WEBHOOK_URL: sms.url,
      ID_SERVER_SCHEME: 'http',
      ID_SERVER_ALLOWLIST: idServer.address,
      ID_SERVER_TIMEOUT: '1s',
      THREEPID_DEPRECATED_POST_ENABLED: 'true',
      THREEPID_ALLOWLIST: 'email:*@example.org, msisdn:44*',
    });
    // The identity server checks unbind signatures against our published key, over HTTP.
    await t.app.listen(0, '127.0.0.1');
    idServer.homeserverBaseUrl = await t.app.getUrl();
    deprecatedOff = await startAnotherInstance(t);
    alice = await t.login('alice');
  });
  afterAll(async () => {
    await deprecatedOff.close();
    await t.close();
    await idServer.stop();
    await smtp.stop();
    await sms.stop();
  });

  it('adds an e-mail address: requestToken, the link, UIA (401, a wrong password, then 200), the list', async () => {
    const credentials = await validatedEmail('alice@example.org');
    const challenge = await conforming('add3PID', as(alice, ADD, credentials));
    const wrong = await conforming('add3PID', as(alice, ADD, { ...credentials, auth: passwordAuth(challenge.body.session, 'not the password') }));
    expect({ status: wrong.status, errcode: wrong.body.errcode }).toEqual({ status: 401, errcode: 'M_FORBIDDEN' });
    const added = await conforming('add3PID', as(alice, ADD, { ...credentials, auth: passwordAuth(challenge.body.session) }));
    expect(added.status).toBe(200);
    const listed = await conforming('getAccount3PIDs', t.http().get(THREEPIDS).auth(alice, { type: 'bearer' }));
    expect(listed.body.threepids).toEqual([expect.objectContaining({ medium: 'email', address: 'alice@example.org' })]);
  });

  it('adds a phone number: msisdn requestToken, the code at submit_url, /3pid/add', async () => {
    const requested = await conforming(
      'requestTokenTo3PIDMSISDN',
      t.http().post(MSISDN_REQUEST).send({ client_secret: 'conformance-phone', country: 'GB', phone_number: '07700900777', send_attempt: 1 }),
    );
    expect(requested.status).toBe(200);
    await t.http().post(MSISDN_SUBMIT).send({ sid: requested.body.sid, client_secret: 'conformance-phone', token: sms.lastCode() }).expect(200);
    expect((await addWithUia(alice, { sid: requested.body.sid, client_secret: 'conformance-phone' })).status).toBe(200);
  });

  it('binds and unbinds at an identity server, and removes an address', async () => {
    const sid = `is-${++sessionCount}`;
    idServer.addSession({ sid, clientSecret: 'is-secret', medium: 'email', address: 'alice@example.org' });
    const body = { sid, client_secret: 'is-secret', id_server: idServer.address, id_access_token: idServer.accessToken };
    expect((await conforming('bind3PID', as(alice, BIND, body))).status).toBe(200);
    const unbound = await conforming('unbind3pidFromAccount', as(alice, UNBIND, { medium: 'email', address: 'alice@example.org' }));
    expect(unbound.body).toEqual({ id_server_unbind_result: 'success' });
    const removed = await conforming('delete3pidFromAccount', as(alice, DELETE, { medium: 'email', address: 'alice@example.org' }));
    expect(removed.body).toEqual({ id_server_unbind_result: 'no-support' });
  });

  it('adds through the deprecated POST /account/3pid, and refuses credentials that vouch for nothing with 403', async () => {
    const credentials = await validatedEmail('old.client@example.org');
    expect((await conforming('post3PIDs', as(alice, THREEPIDS, { three_pid_creds: credentials }))).status).toBe(200);
    const refused = await conforming('post3PIDs', as(alice, THREEPIDS, { three_pid_creds: credentials }));
    expect({ status: refused.status, errcode: refused.body.errcode }).toEqual({ status: 403, errcode: 'M_THREEPID_AUTH_FAILED' });
    const off = await conforming('post3PIDs', deprecatedOff.http().post(THREEPIDS).auth(alice, { type: 'bearer' }).send({ three_pid_creds: credentials }));
    expect({ status: off.status, errcode: off.body.errcode }).toEqual({ status: 404, errcode: 'M_UNRECOGNIZED' });
  });

  it.each([
    ['requestTokenTo3PIDEmail', 'an address that does not parse', 400, 'M_INVALID_PARAM', () => t.http().post(EMAIL_REQUEST).send({ client_secret: 'c', email: 'not an address', send_attempt: 1 })],
    ['requestTokenTo3PIDEmail', 'an address already on an account', 400, 'M_THREEPID_IN_USE', () => t.http().post(EMAIL_REQUEST).send({ client_secret: 'c', email: 'old.client@example.org', send_attempt: 1 })],
    ['requestTokenTo3PIDMSISDN', 'a number the allow-list does not allow', 403, 'M_THREEPID_DENIED', () => t.http().post(MSISDN_REQUEST).send({ client_secret: 'c', country: 'US', phone_number: '2025550123', send_attempt: 1 })],
    ['requestTokenTo3PIDEmail', 'an address the allow-list does not allow', 403, 'M_THREEPID_DENIED', () => t.http().post(EMAIL_REQUEST).send({ client_secret: 'c', email: 'eve@example.com', send_attempt: 1 })],
    ['add3PID', 'a body without sid', 400, 'M_MISSING_PARAM', () => as(alice, ADD, { client_secret: 'c' })],
    ['add3PID', 'no access token', 401, 'M_MISSING_TOKEN', () => t.http().post(ADD).send({ client_secret: 'c', sid: 's' })],
    ['getAccount3PIDs', 'an unknown access token', 401, 'M_UNKNOWN_TOKEN', () => t.http().get(THREEPIDS).auth('m3p_unknown', { type: 'bearer' })],
    ['delete3pidFromAccount', 'an unknown medium', 400, 'M_INVALID_PARAM', () => as(alice, DELETE, { medium: 'fax', address: '1234' })],
    ['unbind3pidFromAccount', 'an identity server not on the allow-list', 400, 'M_SERVER_NOT_TRUSTED', () => as(alice, UNBIND, { medium: 'email', address: 'a@example.org', id_server: 'elsewhere.example' })],
    ['bind3PID', "the identity server's own 404", 404, 'M_NO_VALID_SESSION', () => as(alice, BIND, { sid: 'unknown', client_secret: 'c', id_server: idServer.address, id_access_token: idServer.accessToken })],
  ] as const)('%s: %s gets %i %s as a standard error', async (operationId, _case, status, errcode, send) => {
    const response = await conforming(operationId, send());
    expect({ status: response.status, errcode: response.body.errcode }).toEqual({ status, errcode });
  });

  it('answers too many wrong passwords in UIA with 429 and retry_after_ms', async () => {
    const bob = await t.login('bob');
    const credentials = await validatedEmail('bob@example.org');
    const { session } = (await conforming('add3PID', as(bob, ADD, credentials))).body;
    let response: Response;
    do {
      response = await conforming('add3PID', as(bob, ADD, { ...credentials, auth: passwordAuth(session, 'wrong', 'bob') }));
    } while (response.status === 401);
    expect({ status: response.status, errcode: response.body.errcode, retryAfter: typeof response.body.retry_after_ms }).toEqual({
      status: 429,
      errcode: 'M_LIMIT_EXCEEDED',
      retryAfter: 'number',
    });
  });

  it('has checked a success of every operation, and errors 400, 401, 403, 404 and 429', () => {
    const succeeded = new Set(seen.filter(({ status }) => status === 200).map(({ operationId }) => operationId));
    expect([...OPERATIONS.keys()].filter((operationId) => !succeeded.has(operationId))).toEqual([]);
    expect([400, 401, 403, 404, 429].filter((status) => !seen.some((answer) => answer.status === status))).toEqual([]);
  });
});
