import { Clock } from '../../src/common/clock';
import { DATABASE_KINDS } from '../support/databases';
import { startTestApp, TEST_PASSWORD, TestApp } from '../support/test-app';

const LOGIN = '/_matrix/client/v3/login';
const LOGOUT = '/_matrix/client/v3/logout';
const LOGOUT_ALL = '/_matrix/client/v3/logout/all';
const WHOAMI = '/_matrix/client/v3/account/whoami';
const HOUR = 3_600_000;

/** Access tokens end: POST /logout and /logout/all (the spec's session management), and ACCESS_TOKEN_LIFETIME. */
describe.each(DATABASE_KINDS)('access tokens that end [%s]', (kind) => {
  let t: TestApp;
  /** Moves the application's clock forward by `ms`. */
  const travel = (ms: number) => {
    const clock = t.app.get<Clock>(Clock);
    const now = clock.now();
    jest.spyOn(clock, 'now').mockReturnValue(now + ms);
  };
  const whoami = (token: string) => t.http().get(WHOAMI).auth(token, { type: 'bearer' });
  const login = (user: string, deviceId?: string) =>
    t.http().post(LOGIN).send({ type: 'm.login.password', identifier: { type: 'm.id.user', user }, password: TEST_PASSWORD, device_id: deviceId });

  beforeAll(async () => {
    t = await startTestApp(kind);
    for (const user of ['alice', 'bob']) await t.createUser(user, TEST_PASSWORD);
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(async () => {
    await t.close();
  });

  describe('POST /logout', () => {
    it('revokes the token it is called with, and only that one: {} → 200 {}', async () => {
      const [phone, laptop] = [(await login('alice').expect(200)).body.access_token, (await login('alice').expect(200)).body.access_token];
      const response = await t.http().post(LOGOUT).auth(phone, { type: 'bearer' }).send({});
      expect({ status: response.status, body: response.body }).toEqual({ status: 200, body: {} });
      const revoked = await whoami(phone);
      expect({ status: revoked.status, body: revoked.body }).toEqual({
        status: 401,
        body: { errcode: 'M_UNKNOWN_TOKEN', error: expect.any(String), soft_logout: false },
      });
      await whoami(laptop).expect(200);
    });

    it('takes the empty body matrix-js-sdk sends, a Content-Type and no body, and the token as a query parameter', async () => {
      const token = (await login('alice').expect(200)).body.access_token;
      await t.http().post(LOGOUT).auth(token, { type: 'bearer' }).set('Content-Type', 'application/json').expect(200, {});
      await whoami(token).expect(401);
      const another = (await login('alice').expect(200)).body.access_token;
      await t.http().post(`${LOGOUT}?access_token=${another}`).expect(200, {});
      await whoami(another).expect(401);
    });

    it('needs an access token', async () => {
      const missing = await t.http().post(LOGOUT).send({});
      expect({ status: missing.status, errcode: missing.body.errcode }).toEqual({ status: 401, errcode: 'M_MISSING_TOKEN' });
      const again = await t.http().post(LOGOUT).auth('m3p_not-a-token', { type: 'bearer' }).send({});
      expect({ status: again.status, errcode: again.body.errcode }).toEqual({ status: 401, errcode: 'M_UNKNOWN_TOKEN' });
    });

    it('lets the device log in again with its device_id', async () => {
      const first = (await login('alice', 'PHONE').expect(200)).body.access_token;
      await t.http().post(LOGOUT).auth(first, { type: 'bearer' }).send({}).expect(200);
      const second = await login('alice', 'PHONE').expect(200);
      expect((await whoami(second.body.access_token).expect(200)).body.device_id).toBe('PHONE');
    });
  });

  describe('POST /logout/all', () => {
    it("revokes every token of the user, the caller's included, and no one else's: {} → 200 {}", async () => {
      const alices = [(await login('alice').expect(200)).body.access_token, (await login('alice').expect(200)).body.access_token];
      const bobs = (await login('bob').expect(200)).body.access_token;
      const response = await t.http().post(LOGOUT_ALL).auth(alices[0], { type: 'bearer' }).send({});
      expect({ status: response.status, body: response.body }).toEqual({ status: 200, body: {} });
      for (const token of alices) expect((await whoami(token)).body).toMatchObject({ errcode: 'M_UNKNOWN_TOKEN', soft_logout: false });
      await whoami(bobs).expect(200);
    });
  });

  it('keeps tokens without ACCESS_TOKEN_LIFETIME, as before', async () => {
    const token = (await login('alice').expect(200)).body;
    expect(token).not.toHaveProperty('expires_in_ms');
    travel(10 * 365 * 24 * HOUR);
    await whoami(token.access_token).expect(200);
  });

  describe('ACCESS_TOKEN_LIFETIME', () => {
    let limited: TestApp;
    beforeAll(async () => {
      limited = await startTestApp(kind, { ACCESS_TOKEN_LIFETIME: '1h' });
      await limited.createUser('carol', TEST_PASSWORD);
    });
    afterAll(async () => {
      await limited.close();
    });
    const travelOn = (app: TestApp, ms: number) => {
      const clock = app.app.get<Clock>(Clock);
      const now = clock.now();
      jest.spyOn(clock, 'now').mockReturnValue(now + ms);
    };

    it('ends a token after it: 401 M_UNKNOWN_TOKEN with soft_logout, so that the client logs in again on its device', async () => {
      const logged = await limited
        .http()
        .post(LOGIN)
        .send({ type: 'm.login.password', identifier: { type: 'm.id.user', user: 'carol' }, password: TEST_PASSWORD })
        .expect(200);
      const ask = () => limited.http().get(WHOAMI).auth(logged.body.access_token, { type: 'bearer' });
      travelOn(limited, HOUR - 60_000);
      const justBefore = (await ask()).status;
      jest.restoreAllMocks();
      travelOn(limited, HOUR);
      const expired = await ask();
      expect({ expiresInMs: logged.body.expires_in_ms, justBefore, status: expired.status, body: expired.body }).toEqual({
        expiresInMs: HOUR,
        justBefore: 200,
        status: 401,
        body: { errcode: 'M_UNKNOWN_TOKEN', error: expect.any(String), soft_logout: true },
      });
      const again = await limited
        .http()
        .post(LOGIN)
        .send({ type: 'm.login.password', identifier: { type: 'm.id.user', user: 'carol' }, password: TEST_PASSWORD, device_id: logged.body.device_id })
        .expect(200);
      await limited.http().get(WHOAMI).auth(again.body.access_token, { type: 'bearer' }).expect(200);
    });
  });
});
