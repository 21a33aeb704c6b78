import { PasswordAuthenticator } from '../../src/auth/application/password-authenticator';
import { AccessTokenResolver } from '../../src/auth/application/ports/access-token-resolver';
import { AuthMetrics, PasswordLimitScope, UiaFailure } from '../../src/auth/application/ports/auth-metrics';
import { PasswordCredentials, PasswordVerifier } from '../../src/auth/application/ports/password-verifier';
import { UserIdentifiers } from '../../src/auth/application/user-identifiers';
import { AuthModuleOptions } from '../../src/auth/auth.options';
import { LoginFailedError, UserIdTakenError } from '../../src/auth/domain/auth.errors';
import { AccessTokenRepository, IssuedAccessToken, StoredAccessToken } from '../../src/auth/domain/ports/access-token.repository';
import { FailedAttemptRepository } from '../../src/auth/domain/ports/failed-attempt.repository';
import { PasswordHasher } from '../../src/auth/domain/ports/password-hasher';
import { UiaSessionConflictError, UiaSessionRepository } from '../../src/auth/domain/ports/uia-session.repository';
import { UserRepository } from '../../src/auth/domain/ports/user.repository';
import { UiaSession, UiaSessionState } from '../../src/auth/domain/uia-session';
import { Requester, User } from '../../src/auth/domain/user';
import { Clock } from '../../src/common/clock';
import { sha256Hex } from '../../src/common/sha256';

export class InMemoryUserRepository implements UserRepository {
  readonly users = new Map<string, User>();

  async findById(userId: string): Promise<User | undefined> {
    return this.users.get(userId);
  }

  async create(user: User): Promise<void> {
    if (this.users.has(user.userId)) throw new UserIdTakenError(user.userId);
    this.users.set(user.userId, { ...user });
  }
}

export class InMemoryAccessTokenRepository implements AccessTokenRepository {
  readonly tokens = new Map<string, IssuedAccessToken>();

  async saveForDevice(token: IssuedAccessToken): Promise<void> {
    for (const [hash, existing] of this.tokens) {
      if (existing.userId === token.userId && existing.deviceId === token.deviceId) this.tokens.delete(hash);
    }
    this.tokens.set(token.tokenHash, { ...token });
  }

  async find(tokenHash: string): Promise<StoredAccessToken | undefined> {
    const token = this.tokens.get(tokenHash);
    return token && { userId: token.userId, deviceId: token.deviceId, expiresAt: token.expiresAt };
  }

  async revokeDevice(userId: string, deviceId: string): Promise<void> {
    for (const [hash, token] of this.tokens) if (token.userId === userId && token.deviceId === deviceId) this.tokens.delete(hash);
  }

  async revokeUser(userId: string): Promise<void> {
    for (const [hash, token] of this.tokens) if (token.userId === userId) this.tokens.delete(hash);
  }
}

/** Reversible on purpose: tests can see which password a hash was made from, and count verifications. */
export class FakePasswordHasher implements PasswordHasher {
  verifications: string[] = [];

  async hash(password: string): Promise<string> {
    return `fake:${password}`;
  }

  async verify(hash: string, password: string): Promise<boolean> {
    this.verifications.push(hash);
    return hash === `fake:${password}`;
  }
}

export class FixedClock implements Clock {
  constructor(private time = 1_700_000_000_000) {}

  now(): number {
    return this.time;
  }

  advance(ms: number): void {
    this.time += ms;
  }
}

/** Behaves as the TypeORM repository does: saves checked against the version, which they bump. */
export class InMemoryUiaSessionRepository implements UiaSessionRepository {
  readonly rows = new Map<string, UiaSessionState>();
  /** Set to make the next saves fail as if another request had saved first. */
  conflictsToSimulate = 0;

  async findById(id: string): Promise<UiaSession | undefined> {
    const row = this.rows.get(id);
    return row && UiaSession.restore(row);
  }

  async insert(session: UiaSession): Promise<void> {
    const state = session.snapshot();
    // The primary key: the database refuses a second row, with its own (non-domain) error.
    if (this.rows.has(state.id)) throw new Error(`duplicate UIA session ${state.id}`);
    this.rows.set(state.id, state);
  }

  async save(session: UiaSession): Promise<void> {
    const state = session.snapshot();
    if (this.conflictsToSimulate > 0) {
      this.conflictsToSimulate -= 1;
      throw new UiaSessionConflictError();
    }
    if (this.rows.get(state.id)?.version !== state.version) throw new UiaSessionConflictError();
    this.rows.set(state.id, { ...state, version: state.version + 1 });
  }

  async delete(id: string): Promise<void> {
    this.rows.delete(id);
  }

  /** Of two sessions started at the same time, the one inserted later counts as newer. */
  async keepNewest(userId: string, count: number): Promise<void> {
    const newestFirst = [...this.rows.values()]
      .filter((row) => row.userId === userId)
      .reverse()
      .sort((a, b) => b.createdAt - a.createdAt);
    for (const row of newestFirst.slice(Math.max(0, count))) this.rows.delete(row.id);
  }

  async deleteCreatedBefore(time: number): Promise<number> {
    const expired = [...this.rows.values()].filter((row) => row.createdAt < time);
    for (const row of expired) this.rows.delete(row.id);
    return expired.length;
  }
}

export class InMemoryFailedAttemptRepository implements FailedAttemptRepository {
  readonly attempts = new Map<string, { key: string; time: number }>();
  private nextId = 1;

  async record(key: string, time: number): Promise<string> {
    const attemptId = `attempt-${this.nextId++}`;
    this.attempts.set(attemptId, { key, time });
    return attemptId;
  }

  async timesSince(key: string, since: number): Promise<number[]> {
    return [...this.attempts.values()]
      .filter((attempt) => attempt.key === key && attempt.time >= since)
      .map((attempt) => attempt.time)
      .sort((a, b) => a - b);
  }

  async forget(attemptId: string): Promise<void> {
    this.attempts.delete(attemptId);
  }

  async forgetAccount(key: string): Promise<void> {
    for (const [attemptId, attempt] of this.attempts) if (attempt.key === key) this.attempts.delete(attemptId);
  }

  async deleteBefore(time: number): Promise<number> {
    let deleted = 0;
    for (const [attemptId, attempt] of this.attempts) {
      if (attempt.time < time) {
        this.attempts.delete(attemptId);
        deleted += 1;
      }
    }
    return deleted;
  }

  /**
   * How many attempts are recorded under what was typed, whenever they were made: a user ID
   * (`@alice:example.org`, as UIA and m.id.user count it) or a canonical address (`email:a@b.org`).
   */
  countFor(typed: string): number {
    return this.countUnder(`login:${sha256Hex(typed)}`);
  }

  /** How many attempts are recorded against the account, through any of its identifiers. */
  countForAccount(userId: string): number {
    return this.countUnder(`account:${sha256Hex(userId)}`);
  }

  private countUnder(key: string): number {
    return [...this.attempts.values()].filter((attempt) => attempt.key === key).length;
  }
}

export interface PasswordAuthenticatorParts {
  users: UserRepository;
  hasher?: PasswordHasher;
  attempts?: FailedAttemptRepository;
  identifiers?: UserIdentifiers;
  clock?: Clock;
  options?: AuthModuleOptions;
  metrics?: AuthMetrics;
}

/** A PasswordAuthenticator over fakes, started as its module would start it (without its purge timer). */
export async function startedPasswordAuthenticator(parts: PasswordAuthenticatorParts): Promise<PasswordAuthenticator> {
  const options = parts.options ?? { serverName: 'example.org' };
  const authenticator = new PasswordAuthenticator(
    parts.users,
    parts.hasher ?? new FakePasswordHasher(),
    parts.attempts ?? new InMemoryFailedAttemptRepository(),
    parts.identifiers ?? new UserIdentifiers(options),
    parts.clock ?? new FixedClock(),
    options,
    parts.metrics,
  );
  await authenticator.onModuleInit();
  return authenticator;
}

/** A host's own access tokens: whatever `tokens` maps to a requester. */
export class FakeAccessTokenResolver implements AccessTokenResolver {
  readonly tokens = new Map<string, Requester>();

  async resolve(accessToken: string): Promise<Requester | undefined> {
    return this.tokens.get(accessToken);
  }
}

/** A host's own accounts: `m.id.user` identifiers (full user IDs) and the passwords in `passwords`. */
export class FakePasswordVerifier implements PasswordVerifier {
  readonly passwords = new Map<string, string>();
  readonly verified: string[] = [];

  async identify(credentials: PasswordCredentials): Promise<string | undefined> {
    const user = credentials.identifier?.type === 'm.id.user' ? credentials.identifier.user : credentials.user;
    return typeof user === 'string' && this.passwords.has(user) ? user : undefined;
  }

  async verify(userId: string, password: string): Promise<void> {
    this.verified.push(userId);
    if (this.passwords.get(userId) !== password) throw new LoginFailedError();
  }
}

/** Every count, in order: `uiaChallenged`, `uiaFailed wrong_password`, `failedPasswordLimitReached account`. */
export class RecordingAuthMetrics implements AuthMetrics {
  readonly counted: string[] = [];

  uiaChallenged(): void {
    this.counted.push('uiaChallenged');
  }
  uiaSucceeded(): void {
    this.counted.push('uiaSucceeded');
  }
  uiaFailed(reason: UiaFailure): void {
    this.counted.push(`uiaFailed ${reason}`);
  }
  failedPasswordLimitReached(scope: PasswordLimitScope): void {
    this.counted.push(`failedPasswordLimitReached ${scope}`);
  }
}
