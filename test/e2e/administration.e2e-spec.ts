import { DataSource } from 'typeorm';
import { databaseChanges, snapshotDatabase } from '../support/database-snapshot';
import { DATABASE_KINDS } from '../support/databases';
import { FakeIdentityServer } from '../support/fake-identity-server';
import { compiled, Finished, run } from '../support/process';
import { startTestApp, TestApp } from '../support/test-app';

const THREEPIDS = '/_matrix/client/v3/account/3pid';
const BIND = '/_matrix/client/v3/account/3pid/bind';
const IS_UNBIND = '/_matrix/identity/v2/3pid/unbind';
const BY_THREEPID = '/_synapse/admin/v1/threepid';
const USERS = '/_synapse/admin/v2/users';

// Each command is a process of its own that starts the application: about a second, more on a busy machine.
jest.setTimeout(60_000);

/** The admin commands and the Synapse-compatible admin API, on a server's own database. */
describe.each(DATABASE_KINDS)('administration [%s]', (kind) => {
  let t: TestApp;
  let idServer: FakeIdentityServer;
  let admin: string;
  let alice: string;

  /** The CLI with the server's settings, as an operator runs it on the server's machine. */
  const cli = (...args: string[]): Promise<Finished> =>
    run(process.execPath, [compiled('cli.js'), ...args], {
      DATABASE_URL: t.database.url,
      SERVER_NAME: 'test.local',
      SIGNING_KEY_PATH: t.config.signing.keyPath,
      ID_SERVER_SCHEME: 'http',
      ID_SERVER_ALLOWLIST: idServer.address,
      INSTANCE_NAME: 'admin-host',
      SUDO_USER: 'operator-olga',
    });
  const json = (finished: Finished) => JSON.parse(finished.stdout);
  const auditLines = (finished: Finished) =>
    finished.stderr
      .split('\n')
      .filter((line) => line.includes('"audit"'))
      .map((line) => JSON.parse(line).audit);
  const get = (path: string, token: string) => t.http().get(path).auth(token, { type: 'bearer' });
  const snapshot = () => snapshotDatabase(t.app.get(DataSource));
  /** Alice binds the address at the identity server, which validated it for her. */
  const bindAtIdentityServer = async (address: string) => {
    const sid = `admin-${address.split('@')[0]}`;
    idServer.addSession({ sid, clientSecret: 'secret', medium: 'email', address });
    await t
      .http()
      .post(BIND)
      .auth(alice, { type: 'bearer' })
      .send({ sid, client_secret: 'secret', id_server: idServer.address, id_access_token: idServer.accessToken })
      .expect(200);
  };

  beforeAll(async () => {
    idServer = await FakeIdentityServer.start();
    t = await startTestApp(kind, { ID_SERVER_SCHEME: 'http', ID_SERVER_ALLOWLIST: idServer.address, ID_SERVER_TIMEOUT: '1s' });
    await t.app.listen(0, '127.0.0.1');
    idServer.homeserverBaseUrl = await t.app.getUrl();
    alice = await t.login('alice');
    const created = await cli('user:create', 'root', '--password', 'root password', '--admin');
    expect(created).toMatchObject({ code: 0, stdout: '@root:test.local\n' });
    // Created by the command, so logged in as any client would.
    const login = { type: 'm.login.password', identifier: { type: 'm.id.user', user: 'root' }, password: 'root password' };
    admin = (await t.http().post('/_matrix/client/v3/login').send(login).expect(200)).body.access_token;
  });
  afterAll(async () => {
    await t.close();
    await idServer.stop();
  });

  describe('threepid:add, threepid:list, threepid:owner', () => {
    it('adds an address without validation, canonicalised, printed as a table or as JSON, and audited as the operator', async () => {
      const added = await cli('threepid:add', 'alice', 'email', '  Alice.Admin@EXAMPLE.org ');
      expect(added.code).toBe(0);
      expect(added.stdout).toMatch(/^Added to @alice:test\.local:\nMEDIUM +ADDRESS +VALIDATED AT +ADDED AT\nemail +alice\.admin@example\.org +\d{4}-\d\d-\d\dT/);
      expect(auditLines(added)).toEqual([
        expect.objectContaining({
          action: 'threepid.added',
          actor: 'cli:operator-olga',
          user_id: '@alice:test.local',
          medium: 'email',
          address: 'alice.admin@example.org',
          instance: 'admin-host',
          outcome: 'success',
        }),
      ]);

      const phone = json(await cli('threepid:add', '@alice:test.local', 'msisdn', '+44 7700 900555', '--json'));
      expect(phone).toEqual({ user_id: '@alice:test.local', medium: 'msisdn', address: '447700900555', validated_at: expect.any(Number), added_at: phone.validated_at });

      // The user sees both, as if a client had added them.
      const listed = (await get(THREEPIDS, alice).expect(200)).body.threepids;
      expect(listed.map((p: { address: string }) => p.address)).toEqual(['alice.admin@example.org', '447700900555']);
      const list = await cli('threepid:list', '@Alice:test.local', '--json');
      expect(json(list)).toEqual({ user_id: '@alice:test.local', threepids: listed });
      expect((await cli('threepid:list', 'alice')).stdout).toMatch(/^MEDIUM +ADDRESS +VALIDATED AT +ADDED AT\nemail +alice\.admin@example\.org .*\nmsisdn +447700900555 /);
    });

    it('finds the owner of an address however it is written, and says when nobody has it (exit 1)', async () => {
      await cli('threepid:add', 'alice', 'email', 'owned@example.org');
      expect(await cli('threepid:owner', 'email', 'OWNED@example.org')).toMatchObject({ code: 0, stdout: '@alice:test.local\n' });
      expect(json(await cli('threepid:owner', 'email', 'owned@example.org', '--json'))).toEqual({ user_id: '@alice:test.local' });
      const nobody = await cli('threepid:owner', 'email', 'nobody@example.org', '--json');
      expect(nobody.code).toBe(1);
      expect(json(nobody)).toEqual({ errcode: 'M_NOT_FOUND', error: 'No account has email nobody@example.org' });
      expect(nobody.stderr).toContain('No account has email nobody@example.org');
    });

    it('lists an empty account in words', async () => {
      await t.createUser('empty', 'pw');
      expect(await cli('threepid:list', 'empty')).toMatchObject({ code: 0, stdout: '@empty:test.local has no 3PIDs.\n' });
      expect(json(await cli('threepid:list', 'empty', '--json'))).toEqual({ user_id: '@empty:test.local', threepids: [] });
    });

    it('refuses an address on any account, and an account that does not exist, with exit 1 and nothing written', async () => {
      await t.createUser('bob', 'pw');
      await cli('threepid:add', 'alice', 'email', 'taken@example.org');
      const before = await snapshot();

      const inUse = await cli('threepid:add', 'bob', 'email', 'Taken@example.org', '--json');
      expect(inUse.code).toBe(1);
      expect(json(inUse).errcode).toBe('M_THREEPID_IN_USE');
      expect(auditLines(inUse)).toEqual([]);
      const own = await cli('threepid:add', 'alice', 'email', 'taken@example.org');
      expect(own.code).toBe(1);
      expect(own.stderr).toContain('already on your account');
      const nobody = await cli('threepid:add', 'nobody', 'email', 'free@example.org', '--json');
      expect(nobody.code).toBe(1);
      expect(json(nobody)).toEqual({ errcode: 'M_NOT_FOUND', error: 'User not found' });

      expect(databaseChanges(before, await snapshot())).toEqual({});
    });
  });

  describe('threepid:remove', () => {
    it('unbinds the address at the identity server it was bound at, signed, then removes it', async () => {
      await cli('threepid:add', 'alice', 'email', 'bound@example.org');
      await bindAtIdentityServer('bound@example.org');
      expect(idServer.bindings()).toContainEqual({ medium: 'email', address: 'bound@example.org', mxid: '@alice:test.local' });

      const removed = await cli('threepid:remove', 'alice', 'email', 'Bound@Example.org', '--json');
      expect(removed.code).toBe(0);
      expect(json(removed)).toEqual({ user_id: '@alice:test.local', medium: 'email', address: 'bound@example.org', id_server_unbind_result: 'success' });
      expect(idServer.bindings()).not.toContainEqual(expect.objectContaining({ address: 'bound@example.org' }));
      expect(auditLines(removed).map((line) => [line.action, line.actor, line.id_server, line.outcome])).toEqual([
        ['threepid.unbound', 'cli:operator-olga', idServer.address, 'success'],
        ['threepid.removed', 'cli:operator-olga', undefined, 'success'],
      ]);
      expect((await get(THREEPIDS, alice).expect(200)).body.threepids).not.toContainEqual(expect.objectContaining({ address: 'bound@example.org' }));
    });

    it('says in words what it did, and that an address without bindings had nothing to unbind', async () => {
      await cli('threepid:add', 'alice', 'msisdn', '447700900556');
      const removed = await cli('threepid:remove', 'alice', 'msisdn', '+447700900556');
      expect(removed).toMatchObject({ code: 0, stdout: 'Removed msisdn 447700900556 from @alice:test.local (identity servers: no-support).\n' });
    });

    it('leaves the address where it is when the identity server fails (exit 1), or when it is not on that account', async () => {
      await cli('threepid:add', 'alice', 'email', 'stuck@example.org');
      await bindAtIdentityServer('stuck@example.org');
      const before = await snapshot();
      idServer.respondNext(IS_UNBIND, { status: 500, body: 'down' });

      const failed = await cli('threepid:remove', 'alice', 'email', 'stuck@example.org', '--json');
      expect(failed.code).toBe(1);
      expect(json(failed).errcode).toBe('M_UNKNOWN');
      const elsewhere = await cli('threepid:remove', 'bob', 'email', 'stuck@example.org', '--json');
      expect(elsewhere.code).toBe(1);
      expect(json(elsewhere)).toEqual({ errcode: 'M_NOT_FOUND', error: 'This third-party identifier is not on the account' });
      expect(databaseChanges(before, await snapshot())).toEqual({});
    });
  });

  describe('bad arguments', () => {
    it.each([
      [['threepid:add', 'alice', 'fax', '123'], 'Unknown medium "fax": email or msisdn'],
      [['threepid:add', 'alice', 'email', 'not-an-address'], 'Not a valid email address'],
      [['threepid:add', 'alice', 'msisdn', '+44 (0) 7700'], 'Not a valid msisdn address'],
      [['threepid:add', '@alice:elsewhere.org', 'email', 'a@example.org'], '"@alice:elsewhere.org" is not a user of this server'],
      [['threepid:add', 'Not A User!', 'email', 'a@example.org'], 'is not a user of this server'],
      [['threepid:add', 'alice', 'email'], 'threepid:add takes 3 argument(s)'],
      [['threepid:remove', 'alice', 'email', 'a@example.org', 'extra'], 'threepid:remove takes 3 argument(s)'],
      [['threepid:owner', 'pager', '123'], 'Unknown medium "pager"'],
      [['threepid:list'], 'threepid:list takes 1 argument(s)'],
      [['threepid:add', 'alice', 'email', 'a@example.org', '--force'], 'Usage:'],
      [['threepid:delete', 'alice', 'email', 'a@example.org'], 'Usage:'],
      [['user:create', 'carol'], '--password is required'],
      [['audit:hash', 'email', 'a@example.org'], 'AUDIT_ADDRESSES is not hash'],
    ])('%j: a clear message, exit code 2, nothing written', async (args, message) => {
      const before = await snapshot();
      const finished = await cli(...args);
      expect(finished.code).toBe(2);
      expect(finished.stdout).toBe('');
      expect(finished.stderr).toContain(message);
      expect(finished.stderr).toContain('Usage: npm run cli -- <command>');
      expect(databaseChanges(before, await snapshot())).toEqual({});
    });

    it('says what is wrong as JSON too, with --json', async () => {
      const finished = await cli('threepid:owner', 'fax', '1', '--json');
      expect(finished.code).toBe(2);
      expect(json(finished)).toEqual({ errcode: 'M_INVALID_PARAM', error: 'Unknown medium "fax": email or msisdn' });
    });
  });

  describe('the Synapse admin API', () => {
    beforeAll(async () => {
      await cli('threepid:add', 'alice', 'email', 'lookup@example.org');
    });

    it('finds the user of an address, canonicalised; 404 M_NOT_FOUND when nobody has it', async () => {
      expect((await get(`${BY_THREEPID}/email/users/${encodeURIComponent('LookUp@Example.org')}`, admin).expect(200)).body).toEqual({ user_id: '@alice:test.local' });
      expect((await get(`${BY_THREEPID}/email/users/nobody%40example.org`, admin).expect(404)).body).toEqual({ errcode: 'M_NOT_FOUND', error: 'User not found' });
      expect((await get(`${BY_THREEPID}/fax/users/123`, admin).expect(400)).body.errcode).toBe('M_INVALID_PARAM');
      expect((await get(`${BY_THREEPID}/email/users/not-an-address`, admin).expect(400)).body.errcode).toBe('M_INVALID_PARAM');
    });

    it("answers Query User Account with the account's 3PIDs, as Synapse shapes it", async () => {
      const listed = (await get(THREEPIDS, alice).expect(200)).body.threepids;
      const account = (await get(`${USERS}/${encodeURIComponent('@alice:test.local')}`, admin).expect(200)).body;
      expect(account).toEqual({
        name: '@alice:test.local',
        admin: false,
        threepids: listed,
        creation_ts: expect.any(Number),
        displayname: null,
        avatar_url: null,
        is_guest: false,
        deactivated: false,
        erased: false,
        locked: false,
        shadow_banned: false,
        appservice_id: null,
        user_type: null,
        external_ids: [],
      });
      expect(account.creation_ts).toBeLessThanOrEqual(Date.now() / 1000);
      expect(account.creation_ts).toBeGreaterThan(Date.now() / 1000 - 3600);
      expect((await get(`${USERS}/@root:test.local`, admin).expect(200)).body).toMatchObject({ name: '@root:test.local', admin: true, threepids: [] });
    });

    it('answers 404 for an unknown account, 400 for another server\'s or a malformed user ID', async () => {
      expect((await get(`${USERS}/@nobody:test.local`, admin).expect(404)).body).toEqual({ errcode: 'M_NOT_FOUND', error: 'User not found' });
      expect((await get(`${USERS}/@alice:elsewhere.org`, admin).expect(400)).body).toEqual({ errcode: 'M_INVALID_PARAM', error: 'Can only look up local users' });
      expect((await get(`${USERS}/alice`, admin).expect(400)).body).toEqual({ errcode: 'M_INVALID_PARAM', error: 'Invalid user ID' });
    });

    it('is for server administrators only: 403 M_FORBIDDEN for anyone else, 401 without a token', async () => {
      for (const path of [`${BY_THREEPID}/email/users/lookup%40example.org`, `${USERS}/@alice:test.local`]) {
        expect((await get(path, alice).expect(403)).body).toEqual({ errcode: 'M_FORBIDDEN', error: 'You are not a server admin' });
        expect((await t.http().get(path).expect(401)).body.errcode).toBe('M_MISSING_TOKEN');
      }
    });

    it('is documented in Swagger under its own tag', async () => {
      const document = (await t.http().get('/docs-json').expect(200)).body;
      for (const path of ['/_synapse/admin/v1/threepid/{medium}/users/{address}', '/_synapse/admin/v2/users/{userId}']) {
        expect(document.paths[path].get).toMatchObject({ tags: ['Synapse admin API'], security: [{ accessTokenBearer: [] }] });
        expect(Object.keys(document.paths[path].get.responses)).toEqual(expect.arrayContaining(['200', '401', '403', '404']));
      }
    });
  });
});
