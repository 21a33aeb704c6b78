import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { MissingParamError } from '../../common/errors/matrix-error';
import { PeriodicPurge } from '../../common/periodic-purge';
import { sha256Hex } from '../../common/sha256';
import { AUTH_DEFAULTS, AUTH_MODULE_OPTIONS, type AuthModuleOptions, type FailedPasswordLimit } from '../auth.options';
import { LoginFailedError, TooManyFailedAttemptsError } from '../domain/auth.errors';
import { FailedAttemptRepository } from '../domain/ports/failed-attempt.repository';
import { PasswordHasher } from '../domain/ports/password-hasher';
import { UserRepository } from '../domain/ports/user.repository';
import type { User } from '../domain/user';
import { AuthMetrics, NO_AUTH_METRICS } from './ports/auth-metrics';
import { PasswordCredentials, PasswordVerifier } from './ports/password-verifier';
import { THIRD_PARTY_IDENTIFIER, USER_IDENTIFIER, UserIdentifier, UserIdentifiers } from './user-identifiers';

export type { PasswordCredentials };

const PURGE_INTERVAL_MS = 5 * 60_000;

/**
 * An account takes this many times the failed-password limit, through all of its identifiers
 * together, before its password is no longer checked (see check()).
 */
export const ACCOUNT_LIMIT_FACTOR = 4;

/**
 * Checks passwords, for login and for User-Interactive Authentication alike. Wrong passwords are
 * counted across instances, twice: under what the client typed (the canonical user ID or address),
 * which alone decides the 429, so that failures given with one identifier never show through
 * another (nobody learns who owns an address); and under the account, silently, so that guesses
 * spread over an account's many identifiers still stop (see check()).
 */
@Injectable()
export class PasswordAuthenticator implements PasswordVerifier, OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(PasswordAuthenticator.name);
  private readonly limit: FailedPasswordLimit;
  private readonly accountLimit: FailedPasswordLimit;
  /** Verified against when the user does not exist, so that both failures take as long. */
  private decoyHash = '';
  private readonly purge = new PeriodicPurge('old failed password attempts', PURGE_INTERVAL_MS, () => this.purgeExpired(), this.logger);

  constructor(
    @Inject(UserRepository) private readonly users: UserRepository,
    @Inject(PasswordHasher) private readonly passwords: PasswordHasher,
    @Inject(FailedAttemptRepository) private readonly attempts: FailedAttemptRepository,
    private readonly identifiers: UserIdentifiers,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(AUTH_MODULE_OPTIONS) options: AuthModuleOptions,
    @Inject(AuthMetrics) private readonly metrics: AuthMetrics = NO_AUTH_METRICS,
  ) {
    this.limit = options.failedPasswordLimit ?? AUTH_DEFAULTS.failedPasswordLimit;
    this.accountLimit = { limit: this.limit.limit * ACCOUNT_LIMIT_FACTOR, windowMs: this.limit.windowMs };
  }

  async onModuleInit(): Promise<void> {
    this.decoyHash = await this.passwords.hash(randomBytes(32).toString('hex'));
  }

  onApplicationBootstrap(): void {
    this.purge.start();
  }

  onModuleDestroy(): void {
    this.purge.stop();
  }

  /**
   * The ID of the user the credentials name, if the password is theirs. An unknown user and a wrong
   * password both give LoginFailedError (403 M_FORBIDDEN), so that answers do not reveal accounts.
   */
  async authenticate(credentials: PasswordCredentials): Promise<string> {
    const identifier = identifierOf(credentials);
    const password = passwordOf(credentials);
    const userId = await this.identifiers.resolve(identifier);
    await this.check(this.identifiers.canonicalForm(identifier), userId, password);
    return userId!;
  }

  /** The user the credentials name, or undefined for nobody; no password is checked. */
  async identify(credentials: PasswordCredentials): Promise<string | undefined> {
    const identifier = identifierOf(credentials);
    passwordOf(credentials);
    return this.identifiers.resolve(identifier);
  }

  /**
   * Checks the password of the account `userId` names (User-Interactive Authentication: the
   * logged-in user, so the user ID is what counts as typed). LoginFailedError if it is wrong or
   * there is no such account; TooManyFailedAttemptsError (429) once the user ID had too many.
   */
  async verify(userId: string, password: string): Promise<void> {
    await this.check(userId, userId, password);
  }

  /** Deletes counted attempts that no longer count; returns how many. */
  purgeExpired(): Promise<number> {
    return this.attempts.deleteBefore(this.clock.now() - this.limit.windowMs);
  }

  /**
   * The password check behind login and UIA. `typed` is the canonical form of what the client typed
   * (`@alice:example.org`, `email:alice@example.org`); `userId` the account it names, if any.
   *
   * - Under `typed`: more than the limit in the window is 429, the right password included, with
   *   nothing checked or counted; so every spelling of one identifier shares a count, and an
   *   identifier naming nobody is limited exactly as one naming an account.
   * - Under the account (of nobody: the typed form's own, so that both take the same steps): more
   *   than ACCOUNT_LIMIT_FACTOR times the limit, through whichever identifiers, and the password is
   *   no longer checked: every one, the right one too, gets the 403 of a wrong one, until the oldest
   *   counted failure leaves the window. Nobody who lacks the password can tell this from a wrong
   *   password, so it shows nothing through any identifier; the hash is still verified, so that it
   *   takes as long.
   *
   * Attempts are counted before the password is checked, so that parallel guesses cannot slip past
   * the limits; a right password clears both counts.
   */
  private async check(typed: string, userId: string | undefined, password: string): Promise<void> {
    const typedKey = `login:${sha256Hex(typed)}`;
    const accountKey = `account:${sha256Hex(userId ?? `nobody\0${typed}`)}`;
    const typedAttempt = await this.countAttempt(typedKey, this.limit).catch((error: unknown) => {
      if (error instanceof TooManyFailedAttemptsError) this.metrics.failedPasswordLimitReached('identifier');
      throw error;
    });
    let accountAttempt: string | undefined;
    let user: User | undefined;
    let matches: boolean;
    try {
      accountAttempt = await this.countAttempt(accountKey, this.accountLimit).catch((error: unknown) => {
        if (!(error instanceof TooManyFailedAttemptsError)) throw error;
        this.metrics.failedPasswordLimitReached('account');
        if (userId) this.logger.warn({ userId }, 'Too many wrong passwords for this account: its password is not checked for now');
        return undefined;
      });
      user = userId === undefined ? undefined : await this.users.findById(userId);
      matches = await this.passwords.verify(user?.passwordHash ?? this.decoyHash, password);
    } catch (error) {
      await this.attempts.forget(typedAttempt);
      if (accountAttempt) await this.attempts.forget(accountAttempt);
      throw error;
    }
    if (!user || !matches || accountAttempt === undefined) throw new LoginFailedError(); // the attempts stay counted
    await this.attempts.forgetAccount(typedKey);
    await this.attempts.forgetAccount(accountKey);
  }

  /** Records an attempt under the key, or refuses it (and records nothing) past the limit. */
  private async countAttempt(key: string, { limit, windowMs }: FailedPasswordLimit): Promise<string> {
    const now = this.clock.now();
    const attemptId = await this.attempts.record(key, now);
    // An attempt exactly windowMs old no longer counts: that is when retry_after_ms says to come back.
    const recent = await this.attempts.timesSince(key, now - windowMs + 1);
    if (recent.length > limit) {
      await this.attempts.forget(attemptId);
      throw new TooManyFailedAttemptsError(recent[recent.length - limit - 1] + windowMs - now);
    }
    return attemptId;
  }
}

/** The `identifier`, or what the deprecated top-level `user` or `medium`/`address` fields stand for. */
function identifierOf(credentials: PasswordCredentials): UserIdentifier {
  if (credentials.identifier) return credentials.identifier;
  if (credentials.user !== undefined) return { type: USER_IDENTIFIER, user: credentials.user };
  if (credentials.medium !== undefined || credentials.address !== undefined) {
    return { type: THIRD_PARTY_IDENTIFIER, medium: credentials.medium, address: credentials.address };
  }
  throw new MissingParamError('Missing parameter: identifier');
}

function passwordOf(credentials: PasswordCredentials): string {
  if (credentials.password === undefined) throw new MissingParamError('Missing parameter: password');
  return credentials.password;
}
