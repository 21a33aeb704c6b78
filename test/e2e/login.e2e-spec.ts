import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { DATABASE_KINDS } from '../support/databases';
import { startTestApp, TEST_PASSWORD, TestApp } from '../support/test-app';

const LOGIN = '/_matrix/client/v3/login';
const WHOAMI = '/_matrix/client/v3/account/whoami';

describe.each(DATABASE_KINDS)('login, access tokens and whoami [%s]', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
    await t.createUser('alice', TEST_PASSWORD);
  });
  afterAll(async () => {
    await t.close();
  });

  const passwordLogin = (fields: Record<string, unknown>) => t.http().post(LOGIN).send({ type: 'm.login.password', ...fields });

  it('offers m.login.password on GET /login', async () => {
    const response = await t.http().get(LOGIN).expect(200);
    expect(response.body).toEqual({ flows: [{ type: 'm.login.password' }] });
  });

  it.each([
    ['an m.id.user identifier with the localpart', { identifier: { type: 'm.id.user', user: 'alice' } }],
    ['an m.id.user identifier with the full user ID', { identifier: { type: 'm.id.user', user: '@alice:test.local' } }],
    ['a user ID in another case', { identifier: { type: 'm.id.user', user: '@ALICE:test.local' } }],
    ['the deprecated top-level user field', { user: 'alice' }],
  ])('logs in with %s', async (_case, fields) => {
    const response = await passwordLogin({ ...fields, password: TEST_PASSWORD }).expect(200);
    expect(response.body).toEqual({ user_id: '@alice:test.local', access_token: expect.any(String), device_id: expect.any(String) });
    const whoami = await t.http().get(WHOAMI).auth(response.body.access_token, { type: 'bearer' }).expect(200);
    expect(whoami.body).toEqual({ user_id: '@alice:test.local', device_id: response.body.device_id, is_guest: false });
  });

  it('refuses a wrong password with 403 M_FORBIDDEN', async () => {
    const response = await passwordLogin({ user: 'alice', password: 'wrong' }).expect(403);
    expect(response.body).toEqual({ errcode: 'M_FORBIDDEN', error: 'Invalid username or password' });
  });

  it('answers an unknown user exactly as a wrong password', async () => {
    const response = await passwordLogin({ user: 'nobody', password: TEST_PASSWORD }).expect(403);
    expect(response.body).toEqual({ errcode: 'M_FORBIDDEN', error: 'Invalid username or password' });
  });

  it('refuses a user ID of another server', async () => {
    await passwordLogin({ user: '@alice:elsewhere.example', password: TEST_PASSWORD }).expect(403);
  });

  it('refuses an unsupported login type with 400 M_UNKNOWN', async () => {
    const response = await t.http().post(LOGIN).send({ type: 'm.login.token', token: 'x' }).expect(400);
    expect(response.body.errcode).toBe('M_UNKNOWN');
  });

  it('asks for the password when it is missing', async () => {
    const response = await passwordLogin({ user: 'alice' }).expect(400);
    expect(response.body.errcode).toBe('M_MISSING_PARAM');
  });

  it.each([
    ['a null user', { user: null, password: TEST_PASSWORD }],
    ['a null identifier.user', { identifier: { type: 'm.id.user', user: null }, password: TEST_PASSWORD }],
    ['a null password', { user: 'alice', password: null }],
  ])('treats %s as missing (400 M_MISSING_PARAM)', async (_case, fields) => {
    const response = await passwordLogin(fields).expect(400);
    expect(response.body.errcode).toBe('M_MISSING_PARAM');
  });

  it('refuses an empty device_id with 400 M_INVALID_PARAM', async () => {
    const response = await passwordLogin({ user: 'alice', password: TEST_PASSWORD, device_id: '' }).expect(400);
    expect(response.body.errcode).toBe('M_INVALID_PARAM');
  });

  it('asks for a user when neither identifier nor user is given', async () => {
    const response = await passwordLogin({ password: TEST_PASSWORD }).expect(400);
    expect(response.body.errcode).toBe('M_MISSING_PARAM');
  });

  it('keeps a device_id the client chose, and revokes that device\'s earlier token', async () => {
    const first = await passwordLogin({ user: 'alice', password: TEST_PASSWORD, device_id: 'MYPHONE' }).expect(200);
    expect(first.body.device_id).toBe('MYPHONE');
    const second = await passwordLogin({ user: 'alice', password: TEST_PASSWORD, device_id: 'MYPHONE' }).expect(200);
    await t.http().get(WHOAMI).auth(second.body.access_token, { type: 'bearer' }).expect(200);
    const revoked = await t.http().get(WHOAMI).auth(first.body.access_token, { type: 'bearer' }).expect(401);
    expect(revoked.body.errcode).toBe('M_UNKNOWN_TOKEN');
  });

  it('issues a new device and token on every login without device_id', async () => {
    const a = await passwordLogin({ user: 'alice', password: TEST_PASSWORD }).expect(200);
    const b = await passwordLogin({ user: 'alice', password: TEST_PASSWORD }).expect(200);
    expect(a.body.device_id).not.toBe(b.body.device_id);
    expect(a.body.access_token).not.toBe(b.body.access_token);
    await t.http().get(WHOAMI).auth(a.body.access_token, { type: 'bearer' }).expect(200);
  });

  describe('access tokens', () => {
    let token: string;
    beforeAll(async () => {
      token = await t.login('alice');
    });

    it('accepts the token as an access_token query parameter', async () => {
      const response = await t.http().get(WHOAMI).query({ access_token: token }).expect(200);
      expect(response.body.user_id).toBe('@alice:test.local');
    });

    it('answers no token with 401 M_MISSING_TOKEN', async () => {
      const response = await t.http().get(WHOAMI).expect(401);
      expect(response.body).toEqual({ errcode: 'M_MISSING_TOKEN', error: expect.any(String) });
    });

    it('answers an unknown token with 401 M_UNKNOWN_TOKEN and soft_logout false', async () => {
      const response = await t.http().get(WHOAMI).auth('m3p_not-a-real-token', { type: 'bearer' }).expect(401);
      expect(response.body).toEqual({ errcode: 'M_UNKNOWN_TOKEN', error: expect.any(String), soft_logout: false });
    });

    it('refuses a token sent both as header and query parameter', async () => {
      const response = await t.http().get(WHOAMI).auth(token, { type: 'bearer' }).query({ access_token: token }).expect(401);
      expect(response.body.errcode).toBe('M_MISSING_TOKEN');
    });

    it('refuses an Authorization header that is not Bearer', async () => {
      const response = await t.http().get(WHOAMI).set('Authorization', `Basic ${token}`).expect(401);
      expect(response.body.errcode).toBe('M_MISSING_TOKEN');
    });

    it('stores only the SHA-256 of each token, and an argon2id hash of each password', async () => {
      const dataSource = t.app.get(DataSource);
      const tokens: { token_hash: string }[] = await dataSource.query('SELECT token_hash FROM access_tokens');
      expect(tokens.map((row) => row.token_hash)).toContain(createHash('sha256').update(token).digest('hex'));
      expect(JSON.stringify(tokens)).not.toContain(token);
      const [user] = await dataSource.query("SELECT password_hash FROM users WHERE user_id = '@alice:test.local'");
      expect(user.password_hash).toMatch(/^\$argon2id\$/);
      expect(user.password_hash).not.toContain(TEST_PASSWORD);
    });
  });
});
