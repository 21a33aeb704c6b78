import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { MIGRATIONS } from '../../src/database/migrations';
import { compiled, finished, run, start, waitForLine } from '../support/process';

/** The compiled server and CLI as an operator runs them: real processes, real environment variables. */
describe('the server and CLI processes', () => {
  // A safety net for hung processes, not an assertion: npm scripts rebuild before they run.
  jest.setTimeout(60_000);

  let dir: string;
  let env: Record<string, string>;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'm3pid-process-'));
    env = {
      DATABASE_URL: `sqlite:${join(dir, 'data', 'db.sqlite')}`,
      // Not the default data/signing.key, which would be the repository's.
      SIGNING_KEY_PATH: join(dir, 'data', 'signing.key'),
      SERVER_NAME: 'proc.test',
      PORT: '0',
      LOG_LEVEL: 'info',
    };
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  describe('configuration', () => {
    it('refuses to start on bad values, naming each variable', async () => {
      const result = await run(process.execPath, [compiled('main.js')], { ...env, PORT: 'eighty', LOG_LEVEL: 'loud', THREEPID_CHANGES_ENABLED: 'maybe' });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('PORT');
      expect(result.stderr).toContain('LOG_LEVEL');
      expect(result.stderr).toContain('THREEPID_CHANGES_ENABLED');
    });

    it('names BIND_ADDRESS and PORT when it cannot listen', async () => {
      const occupant = createServer();
      await new Promise<void>((resolve) => occupant.listen(0, '127.0.0.1', resolve));
      try {
        const port = String((occupant.address() as AddressInfo).port);
        const result = await run(process.execPath, [compiled('main.js')], { ...env, PORT: port });
        expect(result.code).toBe(1);
        expect(result.stderr).toContain(`Cannot listen on BIND_ADDRESS 127.0.0.1, PORT ${port}`);
      } finally {
        occupant.close();
      }
    });

    it('never echoes a URL that may hold a password', async () => {
      const result = await run(process.execPath, [compiled('main.js')], { ...env, DATABASE_URL: 'postgres://admin:hunter2-secret@db/x', SMTP_URL: 'ftp://u:smtp-secret@h' });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('DATABASE_URL');
      expect(result.stderr).toContain('SMTP_URL');
      expect(result.stderr).not.toContain('hunter2-secret');
      expect(result.stderr).not.toContain('smtp-secret');
    });

    it('refuses to start on a corrupt signing key file, naming SIGNING_KEY_PATH without a stack trace', async () => {
      const keyPath = join(dir, 'corrupt.key');
      writeFileSync(keyPath, 'ed25519 a_AbCd not-base64!\n');
      const result = await run(process.execPath, [compiled('main.js')], { ...env, SIGNING_KEY_PATH: keyPath });
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        `Invalid configuration:\n  - SIGNING_KEY_PATH (${keyPath}) is not a signing key file: expected "ed25519 <version> <base64 seed>" (the seed is not base64)\n`,
      );
    });
  });

  it('manages migrations through npm run migration:show|run|revert and ormconfig.ts', async () => {
    const migrationEnv = { ...env, DATABASE_URL: `sqlite:${join(dir, 'migrations', 'db.sqlite')}` };
    const show = async () => (await run('npm', ['run', '--silent', 'migration:show'], migrationEnv)).stdout;
    const names = MIGRATIONS.map((migration) => migration.name);
    const listing = (applied: number) =>
      names.map((name, index) => (index < applied ? `[X] ${index + 1} ${name}` : `[ ] ${name}`)).join('\n');
    expect(await show()).toContain(listing(0));
    expect((await run('npm', ['run', '--silent', 'migration:run'], migrationEnv)).code).toBe(0);
    expect(await show()).toContain(listing(names.length));
    // Revert takes back the latest migration only.
    expect((await run('npm', ['run', '--silent', 'migration:revert'], migrationEnv)).code).toBe(0);
    expect(await show()).toContain(listing(names.length - 1));
  });

  describe('user:create', () => {
    it('prints the new user ID as its last line', async () => {
      const result = await run('npm', ['run', 'cli', '--', 'user:create', 'alice', '--password', 'alice password'], env);
      expect(result.code).toBe(0);
      expect(result.stdout.trim().split('\n').at(-1)).toBe('@alice:proc.test');
    });

    it('exits non-zero with a clear message for a duplicate', async () => {
      const result = await run(process.execPath, [compiled('cli.js'), 'user:create', 'alice', '--password', 'another'], env);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('@alice:proc.test is already taken');
    });

    it('refuses a localpart outside the Matrix grammar', async () => {
      const result = await run(process.execPath, [compiled('cli.js'), 'user:create', 'Bad Name', '--password', 'pw'], env);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('may only contain');
    });

    it.each([
      ['without the required arguments', ['user:create', 'bob']],
      ['for an unknown option', ['user:create', 'bob', '--passwd', 'pw']],
    ])('prints usage %s', async (_case, args) => {
      const result = await run(process.execPath, [compiled('cli.js'), ...args], env);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('Usage: npm run cli -- <command>');
      expect(result.stderr).toContain('user:create <localpart> --password <password> [--admin]');
    });
  });

  it('serves the API and Swagger UI, logs JSON, and shuts down cleanly on SIGTERM', async () => {
    const created = await run(process.execPath, [compiled('cli.js'), 'user:create', 'carol', '--password', 'carol password'], env);
    expect(created.code).toBe(0);
    const server = start(process.execPath, [compiled('main.js')], env);
    const exit = finished(server);
    const [, url] = await waitForLine(server, /"msg":"Listening on (http:\/\/[^;]+);/);

    await request(url).get('/_matrix/client/versions').expect(200);
    await request(url).get('/docs/').expect(200);
    // The key the CLI created (it reads the same settings) is the server's too.
    const keys = await request(url).get('/_matrix/key/v2/server').expect(200);
    expect(keys.body.server_name).toBe('proc.test');
    expect(Object.keys(keys.body.verify_keys)).toEqual([`ed25519:${readFileSync(env.SIGNING_KEY_PATH, 'utf8').split(' ')[1]}`]);
    const login = await request(url)
      .post('/_matrix/client/v3/login')
      .send({ type: 'm.login.password', identifier: { type: 'm.id.user', user: 'carol' }, password: 'carol password' })
      .expect(200);
    await request(url).get('/_matrix/client/v3/account/3pid').auth(login.body.access_token, { type: 'bearer' }).expect(200, { threepids: [] });

    server.kill('SIGTERM');
    const result = await exit;
    expect(result).toMatchObject({ code: 0, signal: null });
    const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(lines.map((line) => line.msg)).toEqual(expect.arrayContaining(['SIGTERM received, shutting down', 'Shut down cleanly']));
    expect(result.stdout).not.toContain('carol password');
    expect(result.stdout).not.toContain(login.body.access_token);
  });
});
