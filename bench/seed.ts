import { createHash, randomBytes } from 'node:crypto';
import { hash } from '@node-rs/argon2';
import { Sql } from './database';

export const BENCH_PASSWORD = 'a long bench password';
const BATCH = 2000;

export interface SeedPlan {
  /** The first user's number: a plan can add to what an earlier one seeded. */
  firstUser?: number;
  users: number;
  /** 3PIDs per user: e-mail addresses, then one phone number. */
  threePidsPerUser: number;
  expiredValidationSessions: number;
  uiaSessions: number;
}

export const SMALL: SeedPlan = { users: 1000, threePidsPerUser: 3, expiredValidationSessions: 0, uiaSessions: 0 };
/** What SMALL leaves out of production size: 100k accounts and 300k 3PIDs in all, a million expired sessions. */
export const SCALE_REST: SeedPlan = { firstUser: SMALL.users, users: 100_000 - SMALL.users, threePidsPerUser: 3, expiredValidationSessions: 1_000_000, uiaSessions: 100_000 };

export interface Seeded {
  /** One access token per user, in user order. */
  tokens: string[];
  localparts: string[];
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Accounts with an access token and a few 3PIDs each, written in bulk (the app's own tables, as its
 * migrations made them); with the scale plan also a million validation sessions past their
 * lifetime and open UIA sessions. Reports progress through `log`.
 */
export async function seed(sql: Sql, plan: SeedPlan, serverName: string, log: (line: string) => void): Promise<Seeded> {
  const passwordHash = await hash(BENCH_PASSWORD); // the app's parameters: the library's defaults
  const now = Date.now();
  const first = plan.firstUser ?? 0;
  const localparts = Array.from({ length: plan.users }, (_, i) => `bench${first + i}`);
  const tokens = localparts.map((_, i) => `m3p_bench_${i}_${randomBytes(8).toString('hex')}`);
  const userId = (i: number) => `@${localparts[i]}:${serverName}`;

  await inBatches(plan.users, async (from, to) => {
    const range = indices(from, to);
    await sql.insertMany('users', ['user_id', 'password_hash', 'created_at'], range.map((i) => [userId(i), passwordHash, now]));
    await sql.insertMany('access_tokens', ['token_hash', 'user_id', 'device_id', 'created_at'], range.map((i) => [sha256(tokens[i]), userId(i), 'BENCHDEVICE', now]));
    const threePids = range.flatMap((i) =>
      Array.from({ length: plan.threePidsPerUser }, (_, n) =>
        n === plan.threePidsPerUser - 1
          ? ['msisdn', String(447700000000 + first + i), userId(i), now - 1000, now]
          : ['email', `${localparts[i]}.${n}@bench.example.org`, userId(i), now - 1000, now + n],
      ),
    );
    await sql.insertMany('user_threepids', ['medium', 'address', 'user_id', 'validated_at', 'added_at'], threePids);
  }, log, 'accounts');

  // Created two days ago: past any session lifetime, waiting for the purge.
  const expired = now - 2 * 86_400_000;
  await inBatches(plan.expiredValidationSessions, async (from, to) => {
    const rows = indices(from, to).map((i) => {
      const sid = `expired${i}`;
      return [sid, 'email', `old${i}@bench.example.org`, sha256('secret'), null, 1, null, '[]', 0, expired + (i % 1000), null, null, 0];
    });
    await sql.insertMany(
      'threepid_validation_sessions',
      ['sid', 'medium', 'address', 'client_secret_hash', 'pending_key', 'last_send_attempt', 'next_link', 'tokens', 'token_failures', 'created_at', 'validated_at', 'consumed_at', 'version'],
      rows,
    );
  }, log, 'expired validation sessions');

  await inBatches(plan.uiaSessions, async (from, to) => {
    const rows = indices(from, to).map((i) => [`uia${i}`, userId(i % plan.users), sha256(`request${i}`), '[]', now, null, 0]);
    await sql.insertMany('uia_sessions', ['session_id', 'user_id', 'request_hash', 'completed', 'created_at', 'claimed_at', 'version'], rows);
  }, log, 'UIA sessions');

  return { tokens, localparts };
}

async function inBatches(total: number, work: (from: number, to: number) => Promise<void>, log: (line: string) => void, what: string): Promise<void> {
  for (let from = 0; from < total; from += BATCH) {
    await work(from, Math.min(total, from + BATCH));
    const done = Math.min(total, from + BATCH);
    if (done === total || done % (BATCH * 50) === 0) log(`  seeded ${done.toLocaleString('en')} ${what}`);
  }
}

function indices(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}
