/**
 * `npm run bench`: the service measured from outside, beside a bare node:http + driver server doing
 * the same two queries per request, on the same database, alternating, round after round.
 * `-- --db sqlite` for the embedded default; `-- --scale` for a database of production size.
 * Not a test: figures depend on the machine; they go to the terminal and to bench/results/.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { SMTPServer } from 'smtp-server';
import { BenchDatabaseKind, createBenchDatabase } from './database';
import { BENCH_PASSWORD, SCALE, seed, SMALL } from './seed';

const ROOT = join(__dirname, '..', '..');
const SERVER_NAME = 'bench.local';
const UNLIMITED = '1000000000/1s';

interface Target {
  name: string;
  url: string;
  pid: number;
}

interface Case {
  name: string;
  target: () => Target;
  /** Compared with the bare baseline's GET /account/3pid. */
  isBaseline?: boolean;
  request: () => autocannon.Request;
}

interface Measurement {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  rssMb: number;
  non2xx: number;
  errors: number;
}

const { values: args } = parseArgs({
  options: {
    db: { type: 'string', default: 'mysql' },
    scale: { type: 'boolean', default: false },
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '64' },
    only: { type: 'string' },
    /** Writes a V8 CPU profile of the server (node --cpu-prof) to bench/results/profiles/. */
    profile: { type: 'boolean', default: false },
  },
});

const log = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const kind = args.db as BenchDatabaseKind;
  if (kind !== 'mysql' && kind !== 'sqlite') throw new Error('--db is mysql or sqlite');
  const rounds = Number(args.rounds);
  const duration = Number(args.duration);
  const warmup = Number(args.warmup);
  const connections = Number(args.connections);
  const plan = args.scale ? SCALE : SMALL;

  const database = await createBenchDatabase(kind, process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/');
  const work = mkdtempSync(join(tmpdir(), 'm3pid-bench-run-'));
  const processes: ChildProcess[] = [];
  const smtp = await startSmtpSink();
  try {
    log(`Database: ${kind}${args.scale ? ' (scale)' : ''}; ${rounds} rounds of ${duration} s after ${warmup} s of warm-up, ${connections} connections`);
    const app = await startApp(database.url, smtp.port, work, processes);
    const sql = await database.connect();
    const seeded = await seed(sql, plan, SERVER_NAME, log);
    await sql.close();
    const baseline = await startBaseline(database.url, processes);

    let rotation = 0;
    const nextToken = () => seeded.tokens[rotation++ % seeded.tokens.length];
    let emails = 0;
    const cases: Case[] = [
      {
        name: 'GET /account/3pid',
        target: () => app,
        request: () => ({ method: 'GET', path: '/_matrix/client/v3/account/3pid', setupRequest: bearer(nextToken) }),
      },
      {
        name: 'bare node:http + driver',
        target: () => baseline,
        isBaseline: true,
        request: () => ({ method: 'GET', path: '/_matrix/client/v3/account/3pid', setupRequest: bearer(nextToken) }),
      },
      {
        name: 'GET /account/whoami',
        target: () => app,
        request: () => ({ method: 'GET', path: '/_matrix/client/v3/account/whoami', setupRequest: bearer(nextToken) }),
      },
      {
        name: 'POST email requestToken',
        target: () => app,
        request: () => ({
          method: 'POST',
          path: '/_matrix/client/v3/account/3pid/email/requestToken',
          headers: { 'content-type': 'application/json' },
          setupRequest: (request: autocannon.Request) => ({
            ...request,
            body: JSON.stringify({ client_secret: 'bench_secret', email: `requested${++emails}@bench.example.org`, send_attempt: 1 }),
          }),
        }),
      },
      {
        name: 'POST /login',
        target: () => app,
        request: () => ({
          method: 'POST',
          path: '/_matrix/client/v3/login',
          headers: { 'content-type': 'application/json' },
          setupRequest: (request: autocannon.Request) => ({
            ...request,
            body: JSON.stringify({
              type: 'm.login.password',
              identifier: { type: 'm.id.user', user: seeded.localparts[rotation++ % seeded.localparts.length] },
              password: BENCH_PASSWORD,
              device_id: 'BENCHLOGIN',
            }),
          }),
        }),
      },
    ].filter((c) => !args.only || c.isBaseline || c.name.includes(args.only));

    const results = new Map<string, Measurement[]>(cases.map((c) => [c.name, []]));
    for (let round = 1; round <= rounds; round++) {
      for (const benchCase of cases) {
        const target = benchCase.target();
        await autocannon({ url: target.url, connections, duration: warmup, requests: [benchCase.request()] });
        const result = await autocannon({ url: target.url, connections, duration, requests: [benchCase.request()] });
        const measured: Measurement = {
          requestsPerSecond: result.requests.average,
          p50Ms: result.latency.p50,
          p99Ms: result.latency.p99,
          rssMb: rssMb(target.pid),
          non2xx: result.non2xx,
          errors: result.errors + result.timeouts,
        };
        results.get(benchCase.name)!.push(measured);
        log(
          `round ${round}/${rounds} ${benchCase.name.padEnd(26)} ${fixed(measured.requestsPerSecond, 0).padStart(7)} req/s  p50 ${fixed(measured.p50Ms, 1)} ms  p99 ${fixed(measured.p99Ms, 1)} ms  RSS ${fixed(measured.rssMb, 0)} MB` +
            (measured.non2xx + measured.errors > 0 ? `  (${measured.non2xx} non-2xx, ${measured.errors} errors)` : ''),
        );
      }
    }
    report(kind, cases, results, { rounds, duration, warmup, connections, scale: args.scale === true, emailsReceived: smtp.received() });
  } finally {
    // SIGTERM lets the server shut down cleanly, which is when a CPU profile is written.
    await Promise.all(processes.map((child) => new Promise((resolve) => (child.exitCode !== null ? resolve(null) : (child.once('exit', resolve), child.kill('SIGTERM'))))));
    await smtp.close();
    await database.drop();
    rmSync(work, { recursive: true, force: true });
  }
}

function bearer(nextToken: () => string): (request: autocannon.Request) => autocannon.Request {
  return (request) => ({ ...request, headers: { ...request.headers, authorization: `Bearer ${nextToken()}` } });
}

function report(
  kind: string,
  cases: Case[],
  results: Map<string, Measurement[]>,
  settings: Record<string, unknown>,
): void {
  const medians = new Map(cases.map((c) => [c.name, median(results.get(c.name)!)]));
  const baseline = medians.get(cases.find((c) => c.isBaseline)!.name)!;
  log('');
  log(`Medians of ${settings.rounds} rounds (${kind}):`);
  log(`${'case'.padEnd(28)}${'req/s'.padStart(9)}${'ratio'.padStart(8)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'RSS MB'.padStart(9)}`);
  const rows = cases.map((c) => {
    const m = medians.get(c.name)!;
    const ratio = m.requestsPerSecond / baseline.requestsPerSecond;
    log(`${c.name.padEnd(28)}${fixed(m.requestsPerSecond, 0).padStart(9)}${`${fixed(ratio, 2)}x`.padStart(8)}${fixed(m.p50Ms, 1).padStart(9)}${fixed(m.p99Ms, 1).padStart(9)}${fixed(m.rssMb, 0).padStart(9)}`);
    return { case: c.name, ...m, ratioToBaseline: ratio, rounds: results.get(c.name) };
  });
  const file = join(ROOT, 'bench', 'results', `${kind}${settings.scale ? '-scale' : ''}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ database: kind, settings, cases: rows }, null, 2)}\n`);
  log(`\nWritten to ${file}`);
}

/** The median of each figure separately. */
function median(measurements: Measurement[]): Measurement {
  const of = (key: keyof Measurement) => {
    const sorted = measurements.map((m) => m[key]).sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
  };
  return { requestsPerSecond: of('requestsPerSecond'), p50Ms: of('p50Ms'), p99Ms: of('p99Ms'), rssMb: of('rssMb'), non2xx: of('non2xx'), errors: of('errors') };
}

function fixed(value: number, digits: number): string {
  return value.toFixed(digits);
}

function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m);
  return line ? Number(line[1]) / 1024 : NaN;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The built server, as deployed: its own process, its log to /dev/null. */
async function startApp(databaseUrl: string, smtpPort: number, work: string, processes: ChildProcess[]): Promise<Target> {
  const port = await freePort();
  const profiling = args.profile ? ['--cpu-prof', `--cpu-prof-dir=${join(ROOT, 'bench', 'results', 'profiles')}`] : [];
  const child = spawn(process.execPath, [...profiling, join(ROOT, 'dist', 'src', 'main.js')], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      PATH: process.env.PATH,
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      SERVER_NAME,
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      SIGNING_KEY_PATH: join(work, 'signing.key'),
      RATE_LIMIT_DEFAULT: UNLIMITED,
      RATE_LIMIT_REQUEST_TOKEN: UNLIMITED,
      ...Object.fromEntries(Object.entries(process.env).filter(([name]) => name.startsWith('BENCH_APP_')).map(([name, value]) => [name.slice('BENCH_APP_'.length), value])),
    },
  });
  processes.push(child);
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${url}/health`, child);
  return { name: 'app', url, pid: child.pid! };
}

async function startBaseline(databaseUrl: string, processes: ChildProcess[]): Promise<Target> {
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'bench', 'baseline-server.js'), databaseUrl], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  processes.push(child);
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (chunk: Buffer) => resolve(JSON.parse(chunk.toString()).port));
    child.once('exit', (code) => reject(new Error(`baseline server exited (${code})`)));
  });
  return { name: 'baseline', url: `http://127.0.0.1:${port}`, pid: child.pid! };
}

async function waitFor(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}) during start-up`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not answer within a minute`);
}

/** Accepts every message, as a relay would, and keeps only the count. */
async function startSmtpSink(): Promise<{ port: number; received: () => number; close: () => Promise<void> }> {
  let received = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        received += 1;
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.server.address() as { port: number }).port,
    received: () => received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error)?.stack ?? error}\n`);
  process.exitCode = 1;
});
