import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { canonicalJson } from '../../common/canonical-json';
import { MissingParamError } from '../../common/errors/matrix-error';
import { PeriodicPurge } from '../../common/periodic-purge';
import { sha256Hex } from '../../common/sha256';
import { AUTH_DEFAULTS, AUTH_MODULE_OPTIONS, type AuthModuleOptions, type FailedPasswordLimit } from '../auth.options';
import { LoginFailedError, TooManyFailedAttemptsError } from '../domain/auth.errors';
import { FailedAttemptRepository } from '../domain/ports/failed-attempt.repository';
import { PasswordHasher } from '../domain/ports/password-hasher';
import { UserRepository } from '../domain/ports/user.repository';
import type { User } from '../domain/user';
import { PasswordCredentials, PasswordVerifier } from './ports/password-verifier';
import { THIRD_PARTY_IDENTIFIER, USER_IDENTIFIER, UserIdentifier, UserIdentifiers } from './user-identifiers';

export type { PasswordCredentials };

const PURGE_INTERVAL_MS = 5 * 60_000;

/**
 * Checks passwords, for login and for User-Interactive Authentication alike. Wrong passwords are
 * counted per account, across instances, so that guessing one account's password stops at the
 * limit wherever the guesses come in.
 */
@Injectable()
export class PasswordAuthenticator implements PasswordVerifier, OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(PasswordAuthenticator.name);
  private readonly limit: FailedPasswordLimit;
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
  ) {
    this.limit = options.failedPasswordLimit ?? AUTH_DEFAULTS.failedPasswordLimit;
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
    await this.verify(userId ?? unknownAccountKey(identifier), password);
    return userId!;
  }

  /** The user the credentials name, or undefined for nobody; no password is checked. */
  async identify(credentials: PasswordCredentials): Promise<string | undefined> {
    const identifier = identifierOf(credentials);
    passwordOf(credentials);
    return this.identifiers.resolve(identifier);
  }

  /**
   * Checks the password of the account `userId` names. LoginFailedError if it is wrong or there is
   * no such account; TooManyFailedAttemptsError (429) once the user ID had too many wrong ones.
   * User IDs without an account are counted too, so that the limit does not tell which exist. The
   * attempt is counted before the password is checked, so that parallel guesses cannot slip past
   * the limit; a right password clears the count.
   */
  async verify(userId: string, password: string): Promise<void> {
    const attemptId = await this.countAttempt(userId);
    let matches: boolean;
    let user: User | undefined;
    try {
      user = await this.users.findById(userId);
      matches = await this.passwords.verify(user?.passwordHash ?? this.decoyHash, password);
    } catch (error) {
      await this.attempts.forget(attemptId);
      throw error;
    }
    if (!user || !matches) throw new LoginFailedError(); // the attempt stays counted
    await this.attempts.forgetAccount(userId);
  }

  /** Deletes counted attempts that no longer count; returns how many. */
  purgeExpired(): Promise<number> {
    return this.attempts.deleteBefore(this.clock.now() - this.limit.windowMs);
  }

  /** Records an attempt on the account, or refuses it (and records nothing) past the limit. */
  private async countAttempt(accountKey: string): Promise<string> {
    const { limit, windowMs } = this.limit;
    const now = this.clock.now();
    const attemptId = await this.attempts.record(accountKey, now);
    // An attempt exactly windowMs old no longer counts: that is when retry_after_ms says to come back.
    const recent = await this.attempts.timesSince(accountKey, now - windowMs + 1);
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

/** Where wrong passwords are counted for an identifier that names no user ID (a 3PID on no account). */
function unknownAccountKey(identifier: UserIdentifier): string {
  return `identifier:${sha256Hex(canonicalJson(identifier))}`;
}

function passwordOf(credentials: PasswordCredentials): string {
  if (credentials.password === undefined) throw new MissingParamError('Missing parameter: password');
  return credentials.password;
}
