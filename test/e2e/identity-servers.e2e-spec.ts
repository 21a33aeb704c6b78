import { DataSource } from 'typeorm';
import { clientOf, THREEPIDS } from '../support/client';
import { DATABASE_KINDS } from '../support/databases';
import { FakeIdentityServer } from '../support/fake-identity-server';
import { SmsWebhook } from '../support/sms-webhook';
import { SmtpSink } from '../support/smtp-sink';
import { startAnotherInstance, startTestApp, TestApp } from '../support/test-app';

const BIND = '/_matrix/client/v3/account/3pid/bind';
const UNBIND = '/_matrix/client/v3/account/3pid/unbind';
const DELETE = '/_matrix/client/v3/account/3pid/delete';
const IS_BIND = '/_matrix/identity/v2/3pid/bind';
const IS_UNBIND = '/_matrix/identity/v2/3pid/unbind';
const IS_VALIDATED = '/_matrix/identity/v2/3pid/getValidated3pid';
const CLIENT_SECRET = 'is_secret';

let sessionCount = 0;

describe.each(DATABASE_KINDS)('identity servers: bind, unbind, delete [%s]', (kind) => {
  let t: TestApp;
  /** The same database and key, no ID_SERVER_ALLOWLIST: any public identity server, and no other. */
  let open: TestApp;
  let idServer: FakeIdentityServer;
  let smtp: SmtpSink;
  let sms: SmsWebhook;
  let alice: string;
  let aliceId: string;
  const client = clientOf(
    () => t,
    () => smtp,
    () => sms,
  );

  /** A session the identity server validated for `address`; returns the body a client binds with. */
  const validatedAtIdentityServer = (address: string, medium = 'email') => {
    const sid = `is-session-${++sessionCount}`;
    idServer.addSession({ sid, clientSecret: CLIENT_SECRET, medium, address });
    return { sid, client_secret: CLIENT_SECRET, id_server: idServer.address, id_access_token: idServer.accessToken };
  };
  const post = (app: TestApp, path: string, token: string, body: object) => app.http().post(path).auth(token, { type: 'bearer' }).send(body);
  const bindingsOf = (userId: string): Promise<{ medium: string; address: string; id_server: string }[]> =>
    t.app.get(DataSource).query('SELECT medium, address, id_server FROM threepid_bindings WHERE user_id = ? ORDER BY address', [userId]);

  beforeAll(async () => {
    idServer = await FakeIdentityServer.start();
    smtp = await SmtpSink.start();
    sms = await SmsWebhook.start();
    t = await startTestApp(kind, {
      ID_SERVER_SCHEME: 'http',
      ID_SERVER_ALLOWLIST: idServer.address,
      ID_SERVER_TIMEOUT: '1s',
      THREEPID_DEPRECATED_POST_ENABLED: 'true',
      SMTP_URL: smtp.url,
      SMS_WEBHOOK_URL: sms.url,
    });
    // The identity server fetches our key from /_matrix/key/v2/server, over real HTTP, as Sydent does.
    await t.app.listen(0, '127.0.0.1');
    idServer.homeserverBaseUrl = await t.app.getUrl();
    open = await startAnotherInstance(t, { ID_SERVER_SCHEME: 'http', ID_SERVER_TIMEOUT: '1s' });
    alice = await t.login('alice');
    aliceId = '@alice:test.local';
  });
  afterAll(async () => {
    await open.close();
    await t.close();
    await idServer.stop();
    await smtp.stop();
    await sms.stop();
  });

  describe('POST /account/3pid/bind', () => {
    it('binds at the identity server and records the binding from its answer', async () => {
      const body = validatedAtIdentityServer('Bound.One@Example.org');
      const response = await post(t, BIND, alice, body).expect(200);
      expect(response.body).toEqual({});
      expect(idServer.bindings()).toContainEqual({ medium: 'email', address: 'Bound.One@Example.org', mxid: aliceId });
      const request = idServer.requests.at(-1)!;
      expect(request).toMatchObject({ method: 'POST', path: IS_BIND, body: { sid: body.sid, client_secret: CLIENT_SECRET, mxid: aliceId } });
      expect(request.authorizations).toEqual([`Bearer ${idServer.accessToken}`]);
      expect(await bindingsOf(aliceId)).toContainEqual({ medium: 'email', address: 'bound.one@example.org', id_server: idServer.address });
    });

    it.each([
      ['an unknown session', 404, 'M_NO_VALID_SESSION', (body: Record<string, string>) => ({ ...body, sid: 'no-such-session' })],
      ['a wrong identity-server token', 401, 'M_UNAUTHORIZED', (body: Record<string, string>) => ({ ...body, id_access_token: 'wrong' })],
    ])("passes on the identity server's answer to %s: %i %s", async (_case, status, errcode, change) => {
      const response = await post(t, BIND, alice, change(validatedAtIdentityServer(`refused${++sessionCount}@example.org`)));
      expect({ status: response.status, errcode: response.body.errcode }).toEqual({ status, errcode });
    });

    it('passes on 400 M_SESSION_NOT_VALIDATED for a session not validated yet', async () => {
      const sid = `unvalidated-${++sessionCount}`;
      idServer.addSession({ sid, clientSecret: CLIENT_SECRET, medium: 'email', address: 'later@example.org', validated: false });
      const response = await post(t, BIND, alice, { sid, client_secret: CLIENT_SECRET, id_server: idServer.address, id_access_token: idServer.accessToken });
      expect({ status: response.status, errcode: response.body.errcode }).toEqual({ status: 400, errcode: 'M_SESSION_NOT_VALIDATED' });
    });

    it.each([
      ['403 M_TERMS_NOT_SIGNED', { status: 403, body: { errcode: 'M_TERMS_NOT_SIGNED', error: 'Please accept our terms' } }, 403, 'M_TERMS_NOT_SIGNED', /accept our terms/],
      ['a 500', { status: 500, body: 'Internal Server Error' }, 502, 'M_UNKNOWN', /failed \(HTTP 500\)/],
      ['a 200 that is not JSON', { status: 200, body: 'bound!' }, 502, 'M_UNKNOWN', /cannot use/],
      ['a redirect', { status: 302, body: '' }, 502, 'M_UNKNOWN', /redirects are not followed/],
    ])('answers an identity server that answers %s with its status or 502, and says why', async (_case, canned, status, errcode, message) => {
      idServer.respondNext(IS_BIND, canned);
      const response = await post(t, BIND, alice, validatedAtIdentityServer(`canned${++sessionCount}@example.org`));
      expect({ status: response.status, errcode: response.body.errcode }).toEqual({ status, errcode });
      expect(response.body.error).toMatch(message);
      expect(await bindingsOf(aliceId)).not.toContainEqual(expect.objectContaining({ address: `canned${sessionCount}@example.org` }));
    });

    it('gives up on an identity server that never answers at ID_SERVER_TIMEOUT: 504', async () => {
      const { arrived } = idServer.hangNext(IS_BIND);
      const response = await post(t, BIND, alice, validatedAtIdentityServer(`hung${++sessionCount}@example.org`));
      await arrived;
      expect({ status: response.status, errcode: response.body.errcode }).toEqual({ status: 504, errcode: 'M_UNKNOWN' });
      expect(response.body.error).toBe(`The identity server ${idServer.address} did not answer in time`);
    });

    it('answers 502 for an identity server that cannot be reached', async () => {
      const gone = await FakeIdentityServer.start();
      const address = gone.address;
      await gone.stop();
      const app = await startAnotherInstance(t, { ID_SERVER_SCHEME: 'http', ID_SERVER_ALLOWLIST: address });
      try {
        const response = await post(app, BIND, alice, { ...validatedAtIdentityServer('x@example.org'), id_server: address });
        expect({ status: response.status, body: response.body }).toEqual({
          status: 502,
          body: { errcode: 'M_UNKNOWN', error: `The identity server ${address} could not be reached` },
        });
      } finally {
        await app.close();
      }
    });

    it('needs an access token, every field, and 3PID changes enabled', async () => {
      await t.http().post(BIND).send(validatedAtIdentityServer('t@example.org')).expect(401);
      const { id_access_token: _omitted, ...rest } = validatedAtIdentityServer('t@example.org');
      expect((await post(t, BIND, alice, rest).expect(400)).body.errcode).toBe('M_MISSING_PARAM');
      const token = { ...validatedAtIdentityServer('t@example.org'), id_access_token: 'bad token\r\nX-Injected: 1' };
      expect((await post(t, BIND, alice, token).expect(400)).body.errcode).toBe('M_INVALID_PARAM');
      const disabled = await startAnotherInstance(t, { THREEPID_CHANGES_ENABLED: 'false' });
      try {
        expect((await post(disabled, BIND, alice, validatedAtIdentityServer('t@example.org')).expect(403)).body.errcode).toBe('M_FORBIDDEN');
      } finally {
        await disabled.close();
      }
    });
  });

  describe('which identity servers are contacted', () => {
    const requestsBefore = () => idServer.requests.length;

    it.each([
      ['a URL', `http://${'id.example.org'}`],
      ['a path', 'id.example.org/_matrix'],
      ['userinfo', 'me@id.example.org'],
      ['a query', 'id.example.org?x'],
      ['a bare IPv6 literal', '::1'],
    ])('refuses an id_server with %s: 400 M_INVALID_PARAM', async (_case, value) => {
      const before = requestsBefore();
      for (const app of [t, open]) {
        const response = await post(app, BIND, alice, { ...validatedAtIdentityServer('n@example.org'), id_server: value });
        expect({ value, status: response.status, errcode: response.body.errcode }).toEqual({ value, status: 400, errcode: 'M_INVALID_PARAM' });
      }
      expect(idServer.requests).toHaveLength(before);
    });

    it('with ID_SERVER_ALLOWLIST, refuses every other server, the same one on another port included', async () => {
      const before = requestsBefore();
      const [, port] = idServer.address.split(':');
      for (const value of ['vector.im', `localhost:${port}`, `127.0.0.1:${Number(port) + 1}`, '127.0.0.1']) {
        const response = await post(t, BIND, alice, { ...validatedAtIdentityServer('n@example.org'), id_server: value });
        expect({ value, status: response.status, errcode: response.body.errcode }).toEqual({ value, status: 400, errcode: 'M_SERVER_NOT_TRUSTED' });
      }
      expect(idServer.requests).toHaveLength(before);
    });

    it.each([
      ['127.0.0.1 (the identity server itself, not on any list)', () => idServer.address],
      ['10.0.0.1', () => '10.0.0.1'],
      ['169.254.169.254 (cloud metadata)', () => '169.254.169.254'],
      ['[::1]', () => `[::1]:${idServer.address.split(':')[1]}`],
      ['::ffff:127.0.0.1', () => `[::ffff:127.0.0.1]:${idServer.address.split(':')[1]}`],
      ['a name that resolves to loopback', () => `localhost:${idServer.address.split(':')[1]}`],
    ])('without an allow-list, refuses %s: 400 M_SERVER_NOT_TRUSTED, no request made', async (_case, value) => {
      const before = requestsBefore();
      for (const path of [BIND, UNBIND]) {
        const body =
          path === BIND ? { ...validatedAtIdentityServer('p@example.org'), id_server: value() } : { medium: 'email', address: 'p@example.org', id_server: value() };
        const response = await post(open, path, alice, body);
        expect({ path, status: response.status, body: response.body }).toEqual({
          path,
          status: 400,
          body: { errcode: 'M_SERVER_NOT_TRUSTED', error: expect.stringContaining('does not contact the identity server') },
        });
      }
      expect(idServer.requests).toHaveLength(before);
    });
  });

  describe('POST /account/3pid/unbind', () => {
    it('unbinds, signed with the key at /_matrix/key/v2/server, wherever the address was bound: success, and forgets the binding', async () => {
      const address = `unbind${++sessionCount}@example.org`;
      await post(t, BIND, alice, validatedAtIdentityServer(address)).expect(200);
      const response = await post(t, UNBIND, alice, { medium: 'email', address: address.toUpperCase() }).expect(200);
      expect(response.body).toEqual({ id_server_unbind_result: 'success' });
      const request = idServer.requests.at(-1)!;
      expect({ path: request.path, status: request.status, rejection: request.rejection }).toEqual({ path: IS_UNBIND, status: 200, rejection: undefined });
      expect(request.body).toEqual({ mxid: aliceId, threepid: { medium: 'email', address } });
      expect(request.authorizations[0]).toMatch(new RegExp(`^X-Matrix origin="test.local",destination="${idServer.address}",key="ed25519:[^"]+",sig="[^"]+"$`));
      expect(idServer.bindings()).not.toContainEqual(expect.objectContaining({ address }));
      expect(await bindingsOf(aliceId)).not.toContainEqual(expect.objectContaining({ address }));
    });

    it('answers no-support, with no request made, when the address was bound nowhere and no id_server is given', async () => {
      const before = idServer.requests.length;
      const response = await post(t, UNBIND, alice, { medium: 'email', address: 'never.bound@example.org' }).expect(200);
      expect(response.body).toEqual({ id_server_unbind_result: 'no-support' });
      expect(idServer.requests).toHaveLength(before);
    });

    it.each([
      ['404 without a Matrix error', { status: 404, body: 'Not Found' }],
      ['501', { status: 501, body: { errcode: 'M_UNRECOGNIZED', error: 'Unrecognized request' } }],
    ])('answers no-support when the identity server answers %s, and forgets the binding', async (_case, canned) => {
      const address = `nosupport${++sessionCount}@example.org`;
      await post(t, BIND, alice, validatedAtIdentityServer(address)).expect(200);
      idServer.respondNext(IS_UNBIND, canned);
      expect((await post(t, UNBIND, alice, { medium: 'email', address }).expect(200)).body).toEqual({ id_server_unbind_result: 'no-support' });
      expect(await bindingsOf(aliceId)).not.toContainEqual(expect.objectContaining({ address }));
    });

    it.each([
      ['403 M_FORBIDDEN', { status: 403, body: { errcode: 'M_FORBIDDEN', error: 'Invalid homeserver signature' } }, 403, 'M_FORBIDDEN'],
      ['a 503', { status: 503, body: 'unavailable' }, 502, 'M_UNKNOWN'],
    ])('returns the failure when the identity server answers %s, never success, and keeps the binding', async (_case, canned, status, errcode) => {
      const address = `unbindfail${++sessionCount}@example.org`;
      await post(t, BIND, alice, validatedAtIdentityServer(address)).expect(200);
      idServer.respondNext(IS_UNBIND, canned);
      const response = await post(t, UNBIND, alice, { medium: 'email', address });
      expect({ status: response.status, errcode: response.body.errcode }).toEqual({ status, errcode });
      expect(await bindingsOf(aliceId)).toContainEqual({ medium: 'email', address, id_server: idServer.address });
    });

    it('unbinds at the id_server given, bound through this homeserver or not', async () => {
      const response = await post(t, UNBIND, alice, { medium: 'msisdn', address: '+447700900555', id_server: idServer.address }).expect(200);
      expect(response.body).toEqual({ id_server_unbind_result: 'success' });
      expect(idServer.requests.at(-1)).toMatchObject({ path: IS_UNBIND, status: 200, body: { threepid: { medium: 'msisdn', address: '447700900555' } } });
    });

    it('works with 3PID changes disabled: removing a binding only ever protects the user', async () => {
      const disabled = await startAnotherInstance(t, { THREEPID_CHANGES_ENABLED: 'false', ID_SERVER_SCHEME: 'http', ID_SERVER_ALLOWLIST: idServer.address });
      try {
        await post(disabled, UNBIND, alice, { medium: 'email', address: 'whatever@example.org', id_server: idServer.address }).expect(200);
      } finally {
        await disabled.close();
      }
    });
  });

  describe('POST /account/3pid/delete', () => {
    it('unbinds a bound address first (success), then removes it from the account', async () => {
      const address = `deleted${++sessionCount}@example.org`;
      const bob = await t.login(`bob${sessionCount}`);
      await client.addWithUia(bob, `bob${sessionCount}`, await client.validateEmail(address)).then((r) => expect(r.status).toBe(200));
      await post(t, BIND, bob, validatedAtIdentityServer(address)).expect(200);
      const response = await post(t, DELETE, bob, { medium: 'email', address }).expect(200);
      expect(response.body).toEqual({ id_server_unbind_result: 'success' });
      expect(idServer.requests.at(-1)).toMatchObject({ path: IS_UNBIND, status: 200 });
      expect((await t.http().get(THREEPIDS).auth(bob, { type: 'bearer' }).expect(200)).body.threepids).toEqual([]);
    });

    it('removes an address bound nowhere with no-support, contacting no identity server', async () => {
      const address = `unbound${++sessionCount}@example.org`;
      const carol = await t.login(`carol${sessionCount}`);
      await client.addWithUia(carol, `carol${sessionCount}`, await client.validateEmail(address)).then((r) => expect(r.status).toBe(200));
      const before = idServer.requests.length;
      expect((await post(t, DELETE, carol, { medium: 'email', address }).expect(200)).body).toEqual({ id_server_unbind_result: 'no-support' });
      expect(idServer.requests).toHaveLength(before);
      expect((await t.http().get(THREEPIDS).auth(carol, { type: 'bearer' }).expect(200)).body.threepids).toEqual([]);
    });

    it('keeps the address on the account, and says why, when the identity server fails', async () => {
      const address = `kept${++sessionCount}@example.org`;
      const dave = await t.login(`dave${sessionCount}`);
      await client.addWithUia(dave, `dave${sessionCount}`, await client.validateEmail(address)).then((r) => expect(r.status).toBe(200));
      await post(t, BIND, dave, validatedAtIdentityServer(address)).expect(200);
      idServer.respondNext(IS_UNBIND, { status: 500, body: 'boom' });
      const response = await post(t, DELETE, dave, { medium: 'email', address });
      expect({ status: response.status, errcode: response.body.errcode }).toEqual({ status: 502, errcode: 'M_UNKNOWN' });
      expect((await t.http().get(THREEPIDS).auth(dave, { type: 'bearer' }).expect(200)).body.threepids).toEqual([
        expect.objectContaining({ medium: 'email', address }),
      ]);
      // Once the identity server works again, the same request goes through.
      expect((await post(t, DELETE, dave, { medium: 'email', address }).expect(200)).body).toEqual({ id_server_unbind_result: 'success' });
    });
  });

  describe('the deprecated POST /account/3pid with an identity-server session', () => {
    it('adds what the identity server confirms it validated, asking it with the id_access_token', async () => {
      const erin = await t.login('erin');
      const credentials = validatedAtIdentityServer('Erin@Example.org');
      await post(t, THREEPIDS, erin, { three_pid_creds: credentials }).expect(200);
      const request = idServer.requests.at(-1)!;
      expect(request.path).toBe(`${IS_VALIDATED}?sid=${credentials.sid}&client_secret=${CLIENT_SECRET}`);
      expect(request.authorizations).toEqual([`Bearer ${idServer.accessToken}`]);
      expect((await t.http().get(THREEPIDS).auth(erin, { type: 'bearer' }).expect(200)).body.threepids).toEqual([
        expect.objectContaining({ medium: 'email', address: 'erin@example.org' }),
      ]);
      // The same rule as ever: an address on an account stays there.
      const frank = await t.login('frank');
      const taken = await post(t, THREEPIDS, frank, { three_pid_creds: validatedAtIdentityServer('erin@example.org') });
      expect({ status: taken.status, errcode: taken.body.errcode }).toEqual({ status: 400, errcode: 'M_THREEPID_IN_USE' });
    });

    it('refuses what the identity server does not confirm with 403 M_THREEPID_AUTH_FAILED', async () => {
      const response = await post(t, THREEPIDS, alice, {
        three_pid_creds: { sid: 'unknown-there-too', client_secret: CLIENT_SECRET, id_server: idServer.address, id_access_token: idServer.accessToken },
      });
      expect({ status: response.status, errcode: response.body.errcode }).toEqual({ status: 403, errcode: 'M_THREEPID_AUTH_FAILED' });
    });
  });
});
