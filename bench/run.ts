/**
 * `npm run bench`: the service measured from outside, beside a bare node:http + driver server doing
 * the same two queries per request, on the same database, alternating, round after round.
 * `-- --db sqlite` for the embedded default; `-- --scale` for a database of production size;
 * `-- --metrics` to measure each case again on a second instance with METRICS_PORT set (same
 * database and tokens), beside the instance without (before it in every other round), and compare the two.
 * Not a test: figures depend on the machine; they go to the terminal and to bench/results/.
 */
import { ChildProcess, fork, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { BenchDatabaseKind, createBenchDatabase, Sql } from './database';
import { BENCH_PASSWORD, SCALE_REST, seed, SMALL } from './seed';

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
  /** The case this one measures again with metrics on. */
  metricsOf?: string;
  /** Measured after the reads, in rounds of their own (see main). */
  writes?: boolean;
  request: () => autocannon.Request;
}

interface Measurement {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  rssMb: number;
  /** The server process's CPU time per request answered: its own work, whatever else the machine runs. */
  cpuMicrosPerRequest: number;
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
    /** Each case of the app again on an instance with METRICS_PORT set, alternating with the one without. */
    metrics: { type: 'boolean', default: false },
    /** Flags for the server's node, e.g. `--optimize-for-size` (which NODE_OPTIONS does not take). */
    'node-flags': { type: 'string', default: '' },
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

  const database = await createBenchDatabase(kind, process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/');
  const work = mkdtempSync(join(tmpdir(), 'm3pid-bench-run-'));
  const processes: ChildProcess[] = [];
  const smtp = await startSmtpSink();
  try {
    log(`Database: ${kind}${args.scale ? ' (scale)' : ''}; ${rounds} rounds of ${duration} s after ${warmup} s of warm-up, ${connections} connections`);
    const app = await startApp(database.url, smtp.port, work, processes);
    const sql = await database.connect();
    const seeded = await seed(sql, SMALL, SERVER_NAME, log);
    const baseline = await startBaseline(database.url, processes);
    // The same build, database and tokens; only METRICS_PORT differs.
    const metricsPort = args.metrics ? await freePort() : undefined;
    const appWithMetrics = metricsPort ? await startApp(database.url, smtp.port, work, processes, { METRICS_PORT: String(metricsPort) }) : undefined;

    const nextToken = rotating(seeded.tokens);
    const nextLocalpart = rotating(seeded.localparts);
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
        writes: true,
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
        writes: true,
        target: () => app,
        request: () => ({
          method: 'POST',
          path: '/_matrix/client/v3/login',
          headers: { 'content-type': 'application/json' },
          setupRequest: (request: autocannon.Request) => ({
            ...request,
            body: JSON.stringify({
              type: 'm.login.password',
              identifier: { type: 'm.id.user', user: nextLocalpart() },
              password: BENCH_PASSWORD,
              device_id: 'BENCHLOGIN',
            }),
          }),
        }),
      },
    ]
      .filter((c) => !args.only || c.isBaseline || c.name.includes(args.only))
      // Each case of the app, then the same with metrics on, so that both see the same moment of a shared machine.
      .flatMap((c): Case[] =>
        appWithMetrics && c.target() === app ? [c, { ...c, name: `${c.name} [metrics]`, target: () => appWithMetrics, metricsOf: c.name }] : [c],
      );

    const measure = async (what: Case[], label = ''): Promise<Map<string, Measurement[]>> => {
      const results = new Map<string, Measurement[]>(what.map((c) => [c.name, []]));
      for (let round = 1; round <= rounds; round++) {
        for (const benchCase of round % 2 === 0 ? metricsFirst(what) : what) {
          const measured = await load(benchCase, { connections, duration, warmup });
          results.get(benchCase.name)!.push(measured);
          log(`${label}round ${round}/${rounds} ${describe(benchCase.name, measured)}`);
        }
      }
      return results;
    };
    // The reads first, their rounds alternating with the bare server's, then the writes: a round of
    // logins leaves the app's heap to be collected for some seconds after (argon2id's 19 MiB per
    // hash), which the bare server, never logging in, would not pay. The README gives that cost.
    const readsThenWrites = async (what: Case[], label = '') =>
      new Map([...(await measure(what.filter((c) => !c.writes), label)), ...(await measure(what.filter((c) => c.writes), label))]);
    const small = await readsThenWrites(cases);
    const settings = { rounds, duration, warmup, connections };
    const summary = report(kind, cases, small);
    const output: Record<string, unknown> = { database: kind, settings, cases: summary };
    if (appWithMetrics) output.metrics = await compareMetrics(kind, cases, small, metricsPort!);

    if (args.scale) {
      log('\nScale: 100k accounts, 300k 3PIDs, 1M expired validation sessions, 100k UIA sessions');
      const started = Date.now();
      const more = await seed(sql, SCALE_REST, SERVER_NAME, log);
      log(`  seeded in ${fixed((Date.now() - started) / 1000, 0)} s`);
      // The same clients as on the small database, so that only its size differs; then requests
      // spread over all 101k accounts, beside the bare server doing the same: a token then comes
      // back only after its time in the cache, and most requests do both queries, as bare does.
      const sameClients = cases.filter((c) => c.name === 'GET /account/3pid' || c.name === 'POST email requestToken');
      const nextOfAll = rotating([...seeded.tokens, ...more.tokens]);
      const everyAccount = cases
        .filter((c) => c.name === 'GET /account/3pid' || c.isBaseline)
        .map((c): Case => ({ ...c, name: `${c.name}, every account`, request: () => ({ ...c.request(), setupRequest: bearer(nextOfAll) }) }));
      const large = await readsThenWrites([...sameClients, ...everyAccount], 'scale ');
      output.scale = compareScale(kind, sameClients, small, large);
      output.scaleEveryAccount = report(`${kind}, scale, requests over every account`, everyAccount, large);
      const list = sameClients.find((c) => c.name === 'GET /account/3pid');
      if (list) output.purge = await measureDuringPurge(list, database.url, { connections, duration, warmup }, median(large.get(list.name)!));
      output.explain = await explain(kind, sql, seeded.localparts[0]);
    }
    await sql.close();
    writeResults(kind, args.scale === true, { ...output, emailsReceived: await smtp.received() });
  } finally {
    // SIGTERM lets the server shut down cleanly, which is when a CPU profile is written.
    await Promise.all(processes.map((child) => new Promise((resolve) => (child.exitCode !== null ? resolve(null) : (child.once('exit', resolve), child.kill('SIGTERM'))))));
    smtp.close();
    await database.drop();
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * The cases with each one's metrics twin moved before it: every other round measures them in this
 * order, so that neither instance always has the slot after the other (the SQLite file or the page
 * cache as the other left it, the machine's other load at that phase of a round).
 */
function metricsFirst(cases: Case[]): Case[] {
  const ordered: Case[] = [];
  for (let i = 0; i < cases.length; i++) {
    if (cases[i + 1]?.metricsOf === cases[i].name) ordered.push(cases[i + 1], cases[i++]);
    else ordered.push(cases[i]);
  }
  return ordered;
}

/** The tokens in turn, round and round. */
function rotating(tokens: string[]): () => string {
  let next = 0;
  return () => tokens[next++ % tokens.length];
}

function bearer(nextToken: () => string): (request: autocannon.Request) => autocannon.Request {
  return (request) => ({ ...request, headers: { ...request.headers, authorization: `Bearer ${nextToken()}` } });
}

async function load(benchCase: Case, { connections, duration, warmup }: { connections: number; duration: number; warmup: number }): Promise<Measurement> {
  const target = benchCase.target();
  await autocannon({ url: target.url, connections, duration: warmup, requests: [benchCase.request()] });
  const cpuBefore = cpuMicros(target.pid);
  const result = await autocannon({ url: target.url, connections, duration, requests: [benchCase.request()] });
  const answered = result.requests.average * duration;
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    rssMb: rssMb(target.pid),
    cpuMicrosPerRequest: answered > 0 ? (cpuMicros(target.pid) - cpuBefore) / answered : NaN,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

function describe(name: string, m: Measurement): string {
  return (
    `${name.padEnd(40)} ${fixed(m.requestsPerSecond, 0).padStart(7)} req/s  p50 ${fixed(m.p50Ms, 1)} ms  p99 ${fixed(m.p99Ms, 1)} ms  RSS ${fixed(m.rssMb, 0)} MB  CPU ${fixed(m.cpuMicrosPerRequest, 0)} µs/req` +
    (m.non2xx + m.errors > 0 ? `  (${m.non2xx} non-2xx, ${m.errors} errors)` : '')
  );
}

/** The table of medians, each case beside the bare baseline. */
function report(kind: string, cases: Case[], results: Map<string, Measurement[]>): Record<string, unknown>[] {
  const medians = new Map(cases.map((c) => [c.name, median(results.get(c.name)!)]));
  const baseline = medians.get(cases.find((c) => c.isBaseline)!.name)!;
  log('');
  log(`Medians of ${results.values().next().value!.length} rounds (${kind}):`);
  log(`${'case'.padEnd(42)}${'req/s'.padStart(9)}${'ratio'.padStart(8)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'RSS MB'.padStart(9)}${'CPU µs/req'.padStart(12)}`);
  return cases.map((c) => {
    const m = medians.get(c.name)!;
    const ratio = m.requestsPerSecond / baseline.requestsPerSecond;
    log(
      `${c.name.padEnd(42)}${fixed(m.requestsPerSecond, 0).padStart(9)}${`${fixed(ratio, 2)}x`.padStart(8)}${fixed(m.p50Ms, 1).padStart(9)}${fixed(m.p99Ms, 1).padStart(9)}${fixed(m.rssMb, 0).padStart(9)}${fixed(m.cpuMicrosPerRequest, 0).padStart(12)}`,
    );
    return { case: c.name, ...m, ratioToBaseline: ratio, rounds: results.get(c.name) };
  });
}

/**
 * Metrics off against on: the medians of each, and the median of the rounds' own ratios (each
 * round measured the two one after the other, so a ratio is less at the mercy of other load on
 * the machine than the medians are). Then one scrape, to show the instance counted what it served.
 */
async function compareMetrics(kind: string, cases: Case[], results: Map<string, Measurement[]>, metricsPort: number): Promise<Record<string, unknown>[]> {
  log('');
  log(`Metrics off against on (${kind}): medians, and the median of each round's on/off ratio`);
  log(`${'case'.padEnd(28)}${'req/s off'.padStart(11)}${'on'.padStart(9)}${'change'.padStart(9)}${'round ratio'.padStart(13)}${'CPU µs off'.padStart(12)}${'on'.padStart(7)}${'change'.padStart(9)}`);
  const compared = cases
    .filter((c) => c.metricsOf)
    .map((on) => {
      const [offRounds, onRounds] = [results.get(on.metricsOf!)!, results.get(on.name)!];
      const [off, with_] = [median(offRounds), median(onRounds)];
      const throughputChange = with_.requestsPerSecond / off.requestsPerSecond - 1;
      const cpuChange = with_.cpuMicrosPerRequest / off.cpuMicrosPerRequest - 1;
      const roundRatios = onRounds.map((m, i) => m.requestsPerSecond / offRounds[i].requestsPerSecond);
      const roundRatio = [...roundRatios].sort((a, b) => a - b)[Math.floor(roundRatios.length / 2)];
      const signed = (change: number) => `${change >= 0 ? '+' : ''}${fixed(change * 100, 1)}%`;
      log(
        `${on.metricsOf!.padEnd(28)}${fixed(off.requestsPerSecond, 0).padStart(11)}${fixed(with_.requestsPerSecond, 0).padStart(9)}${signed(throughputChange).padStart(9)}${fixed(roundRatio, 3).padStart(13)}` +
          `${fixed(off.cpuMicrosPerRequest, 0).padStart(12)}${fixed(with_.cpuMicrosPerRequest, 0).padStart(7)}${signed(cpuChange).padStart(9)}`,
      );
      return { case: on.metricsOf, off, on: with_, throughputChange, cpuChange, roundRatios, roundRatio };
    });
  const scrape = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const counted = scrape
    .split('\n')
    .filter((line) => line.startsWith('matrix_3pid_http_requests_total{'))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
  log(`  the instance with metrics counted ${counted.toLocaleString('en')} requests in matrix_3pid_http_requests_total`);
  return compared;
}

/** The same cases on the small and the production-size database: how cost grows. */
function compareScale(kind: string, cases: Case[], small: Map<string, Measurement[]>, large: Map<string, Measurement[]>): Record<string, unknown>[] {
  log('');
  log(`Small database against production size, the same clients (${kind}), medians:`);
  log(`${'case'.padEnd(28)}${'small'.padStart(9)}${'scale'.padStart(9)}${'change'.padStart(9)}${'p99 small'.padStart(11)}${'p99 scale'.padStart(11)}`);
  return cases.map((c) => {
    const [before, after] = [median(small.get(c.name)!), median(large.get(c.name)!)];
    const change = after.requestsPerSecond / before.requestsPerSecond - 1;
    log(
      `${c.name.padEnd(28)}${fixed(before.requestsPerSecond, 0).padStart(9)}${fixed(after.requestsPerSecond, 0).padStart(9)}${`${change >= 0 ? '+' : ''}${fixed(change * 100, 1)}%`.padStart(9)}${fixed(before.p99Ms, 1).padStart(11)}${fixed(after.p99Ms, 1).padStart(11)}`,
    );
    return { case: c.name, small: before, scale: after, change };
  });
}

/**
 * The app's own batched purge of the million expired sessions, from a second process (as another
 * instance's timer would run it), while the load runs: p99 beside p99 without it.
 */
async function measureDuringPurge(
  benchCase: Case,
  databaseUrl: string,
  settings: { connections: number; duration: number; warmup: number },
  without: Measurement,
): Promise<Record<string, unknown>> {
  const purge = spawn(process.execPath, [join(ROOT, 'dist', 'bench', 'purge-process.js'), databaseUrl], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const finished = new Promise<{ deleted: number; seconds: number }>((resolve, reject) => {
    let output = '';
    purge.stdout!.on('data', (chunk: Buffer) => (output += chunk));
    purge.once('exit', (code) => (code === 0 ? resolve(JSON.parse(output)) : reject(new Error(`the purge exited (${code})`))));
  });
  const during = await load(benchCase, { ...settings, warmup: 0 });
  const { deleted, seconds } = await finished;
  log('');
  log(`Purge of expired validation sessions while ${benchCase.name} runs: ${deleted.toLocaleString('en')} rows in ${fixed(seconds, 1)} s, in batches of 1000`);
  log(`  p99 ${fixed(during.p99Ms, 1)} ms during the purge, ${fixed(without.p99Ms, 1)} ms without; ${fixed(during.requestsPerSecond, 0)} req/s during, ${fixed(without.requestsPerSecond, 0)} without`);
  return { case: benchCase.name, deleted, seconds, during, without };
}

/** How the database answers the hot queries on production-size tables: every one on an index. */
async function explain(kind: string, sql: Sql, localpart: string): Promise<Record<string, unknown>> {
  const userId = `@${localpart}:${SERVER_NAME}`;
  const queries: Record<string, [string, unknown[]]> = {
    'access token → user': ['SELECT user_id, device_id FROM access_tokens WHERE token_hash = ?', ['0'.repeat(64)]],
    "user's 3PIDs": ['SELECT medium, address, validated_at, added_at FROM user_threepids WHERE user_id = ? ORDER BY added_at, medium, address', [userId]],
    '3PID in use': ['SELECT user_id FROM user_threepids WHERE medium = ? AND address = ?', ['email', 'bench0.0@bench.example.org']],
    'pending validation session': ['SELECT * FROM threepid_validation_sessions WHERE pending_key = ?', ['0'.repeat(64)]],
    'expired validation sessions (purge)': ['SELECT sid FROM threepid_validation_sessions WHERE created_at < ? ORDER BY created_at LIMIT 1000', [Date.now()]],
  };
  const plans: Record<string, unknown> = {};
  log('');
  log(`Query plans (${kind}):`);
  for (const [name, [query, parameters]] of Object.entries(queries)) {
    const rows = await sql.query(`${kind === 'sqlite' ? 'EXPLAIN QUERY PLAN' : 'EXPLAIN'} ${query}`, parameters);
    plans[name] = rows;
    const summary = rows
      .map((row) => (kind === 'sqlite' ? String(row.detail) : `${row.table}: type=${row.type} key=${row.key} rows=${row.rows}${row.Extra ? ` (${row.Extra})` : ''}`))
      .join('; ');
    log(`  ${name.padEnd(36)} ${summary}`);
  }
  return plans;
}

function writeResults(kind: string, scale: boolean, results: Record<string, unknown>): void {
  const file = join(ROOT, 'bench', 'results', `${kind}${scale ? '-scale' : ''}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  log(`\nWritten to ${file}`);
}

/** The median of each figure separately. */
function median(measurements: Measurement[]): Measurement {
  const of = (key: keyof Measurement) => {
    const sorted = measurements.map((m) => m[key]).sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
  };
  return {
    requestsPerSecond: of('requestsPerSecond'),
    p50Ms: of('p50Ms'),
    p99Ms: of('p99Ms'),
    rssMb: of('rssMb'),
    cpuMicrosPerRequest: of('cpuMicrosPerRequest'),
    non2xx: of('non2xx'),
    errors: of('errors'),
  };
}

function fixed(value: number, digits: number): string {
  return value.toFixed(digits);
}

/** User and system CPU time of a process so far, from /proc (clock ticks of 10 ms). */
function cpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
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
async function startApp(databaseUrl: string, smtpPort: number, work: string, processes: ChildProcess[], env: Record<string, string> = {}): Promise<Target> {
  const port = await freePort();
  const profiling = args.profile ? ['--cpu-prof', `--cpu-prof-dir=${join(ROOT, 'bench', 'results', 'profiles')}`] : [];
  const nodeFlags = args['node-flags']!.split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...profiling, ...nodeFlags, join(ROOT, 'dist', 'src', 'main.js')], {
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
      ...env,
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

/** The mail relay (smtp-sink.ts), in its own process. */
async function startSmtpSink(): Promise<{ port: number; received: () => Promise<number>; close: () => void }> {
  const child = fork(join(ROOT, 'dist', 'bench', 'smtp-sink.js'), { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const reply = <T>(): Promise<T> =>
    new Promise((resolve, reject) => {
      const exited = (code: number | null) => reject(new Error(`the SMTP sink exited (${code})`));
      child.once('exit', exited);
      child.once('message', (message) => {
        child.off('exit', exited);
        resolve(message as T);
      });
    });
  const { port } = await reply<{ port: number }>();
  return {
    port,
    received: async () => {
      const answer = reply<{ received: number }>();
      child.send('count');
      return (await answer).received;
    },
    close: () => child.disconnect(),
  };
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error)?.stack ?? error}\n`);
  process.exitCode = 1;
});
