import { ChildProcess, execFile, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { ROOT, waitForLine } from '../support/process';

const exec = promisify(execFile);

/**
 * What the host compiles besides the example: start the app, and show the test what the host's
 * mailer and listener got (a real host would not).
 */
const HOST_MAIN = `
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { MatrixExceptionFilter, MatrixValidationPipe, RouteTable } from 'matrix-3pid-server';
import pino from 'pino';
import { AuditLog, HostHomeserverModule, HostMailer } from './host-homeserver';

async function main(): Promise<void> {
  const app = await NestFactory.create<NestFastifyApplication>(HostHomeserverModule, new FastifyAdapter(), { logger: ['error', 'warn'] });
  app.useGlobalPipes(new MatrixValidationPipe());
  app.useGlobalFilters(new MatrixExceptionFilter(new RouteTable(), pino({ level: 'warn' })));
  app.getHttpAdapter().getInstance().get('/_test/host', async () => ({
    outbox: app.get(HostMailer).outbox,
    audit: app.get(AuditLog).entries,
  }));
  await app.listen(0, '127.0.0.1');
  console.log(\`listening on \${await app.getUrl()}\`);
}
void main();
`;

/** The host's own dependencies, besides the package: what its code imports, and the compiler. */
const HOST_DEPENDENCIES = ['@nestjs/common', '@nestjs/core', '@nestjs/event-emitter', '@nestjs/platform-fastify', '@nestjs/typeorm', 'better-sqlite3', 'pino', 'reflect-metadata', 'rxjs', 'typeorm'];
const HOST_DEV_DEPENDENCIES = ['typescript', '@types/node'];

/**
 * The module as a host homeserver gets it: `npm pack`, installed into a new application that
 * compiles against its declarations with tsc and runs the add flow with its own token resolver,
 * password verifier, mailer, policy and event listener (docs/examples/host-homeserver.ts).
 */
describe('the packed module in a host application', () => {
  let dir: string;
  let packed: { filename: string; files: { path: string }[] };
  let host: ChildProcess | undefined;
  let url: string;
  const hostDir = () => join(dir, 'host');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'm3pid-package-'));
    // npm test has built dist/; --ignore-scripts skips prepack's build, so that no test rewrites what others run.
    const { stdout } = await exec('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: ROOT });
    [packed] = JSON.parse(stdout);
  }, 60_000);
  afterAll(async () => {
    if (host && host.exitCode === null) {
      const exited = new Promise((resolve) => host!.once('exit', resolve));
      host.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('holds compiled JavaScript and declarations only: no tests, no TypeScript sources, no data or keys', () => {
    const paths = packed.files.map((file) => file.path);
    expect(paths).toEqual(expect.arrayContaining(['package.json', 'README.md', 'dist/src/index.js', 'dist/src/index.d.ts']));
    expect(paths.filter((path) => !['package.json', 'README.md'].includes(path) && !/^dist\/src\/.+\.(js|d\.ts)$/.test(path))).toEqual([]);
    expect(paths.filter((path) => /test|spec|signing\.key|\.sqlite|\.env/.test(path))).toEqual([]);
  });

  it('installs into a host that compiles against its declarations with tsc, with no error', async () => {
    // npm's layout of an installed tarball: the package unpacked into node_modules; its
    // dependencies, and the host's, the same versions this project's `npm ci` installed.
    const modules = join(hostDir(), 'node_modules');
    const installed = join(modules, 'matrix-3pid-server');
    mkdirSync(installed, { recursive: true });
    await exec('tar', ['-xzf', join(dir, packed.filename), '-C', installed, '--strip-components=1']);
    const dependencies = Object.keys(JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')).dependencies);
    for (const name of new Set([...dependencies, ...HOST_DEPENDENCIES, ...HOST_DEV_DEPENDENCIES])) {
      mkdirSync(dirname(join(modules, name)), { recursive: true });
      symlinkSync(join(ROOT, 'node_modules', name), join(modules, name), 'dir');
    }
    writeFileSync(
      join(hostDir(), 'package.json'),
      JSON.stringify({ name: 'host-homeserver', private: true, dependencies: { 'matrix-3pid-server': `file:../${packed.filename}` } }),
    );
    writeFileSync(
      join(hostDir(), 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2023',
          module: 'node16',
          moduleResolution: 'node16',
          strict: true,
          experimentalDecorators: true,
          emitDecoratorMetadata: true,
          esModuleInterop: true,
          types: ['node'],
          rootDir: 'src',
          outDir: 'dist',
        },
        include: ['src'],
      }),
    );
    mkdirSync(join(hostDir(), 'src'));
    copyFileSync(join(ROOT, 'docs', 'examples', 'host-homeserver.ts'), join(hostDir(), 'src', 'host-homeserver.ts'));
    writeFileSync(join(hostDir(), 'src', 'main.ts'), HOST_MAIN);

    const compiled = await exec(process.execPath, [join(modules, 'typescript', 'bin', 'tsc'), '-p', hostDir()], { cwd: hostDir() }).catch(
      (error: { stdout: string }) => ({ stdout: error.stdout, failed: true }),
    );
    expect(compiled).toEqual({ stdout: '', stderr: '' });
  }, 120_000);

  it("adds an address through the host's tokens, passwords, mailer and policy, and the host's listener hears each step", async () => {
    host = spawn(process.execPath, ['dist/main.js'], { cwd: hostDir(), env: { PATH: process.env.PATH! }, stdio: 'pipe' });
    [, url] = await waitForLine(host, /^listening on (\S+)$/);
    const http = () => request(url);
    const alice = { type: 'bearer' as const };

    const { sid } = (await http().post('/_matrix/client/v3/account/3pid/email/requestToken').send({ client_secret: 'host-secret', email: 'Alice@Example.org', send_attempt: 1 }).expect(200)).body;
    const denied = await http().post('/_matrix/client/v3/account/3pid/email/requestToken').send({ client_secret: 'host-secret', email: 'alice@elsewhere.example', send_attempt: 1 });
    expect({ status: denied.status, errcode: denied.body.errcode }).toEqual({ status: 403, errcode: 'M_THREEPID_DENIED' });

    const { outbox } = (await http().get('/_test/host').expect(200)).body;
    expect(outbox).toEqual([expect.objectContaining({ to: 'alice@example.org', subject: 'Confirm alice@example.org for your host.example account' })]);
    const token = new URL(outbox[0].text.match(/https:\S+/)[0]).searchParams.get('token');
    await http().post('/_matrix/client/unstable/add_threepid/email/submit_token').send({ sid, client_secret: 'host-secret', token }).expect(200);

    const credentials = { sid, client_secret: 'host-secret' };
    const { session } = (await http().post('/_matrix/client/v3/account/3pid/add').auth('alice-token', alice).send(credentials).expect(401)).body;
    const auth = { type: 'm.login.password', session, identifier: { type: 'm.id.user', user: 'alice' }, password: 'wonderland' };
    expect((await http().post('/_matrix/client/v3/account/3pid/add').auth('alice-token', alice).send({ ...credentials, auth }).expect(200)).body).toEqual({});
    const listed = (await http().get('/_matrix/client/v3/account/3pid').auth('alice-token', alice).expect(200)).body;
    expect(listed.threepids).toEqual([expect.objectContaining({ medium: 'email', address: 'alice@example.org' })]);
    await http().get('/_matrix/client/v3/account/3pid').auth('mallory-token', alice).expect(401);

    expect((await http().get('/_test/host').expect(200)).body.audit).toEqual([
      'threepid.validation_requested alice@example.org',
      'threepid.validated alice@example.org',
      'threepid.added alice@example.org @alice:host.example',
    ]);
  }, 60_000);
});
