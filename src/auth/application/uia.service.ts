import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { canonicalJson } from '../../common/canonical-json';
import { MatrixError } from '../../common/errors/matrix-error';
import { PeriodicPurge } from '../../common/periodic-purge';
import { sha256Hex } from '../../common/sha256';
import type { AuthGuardsModuleOptions } from '../auth-guards.options';
import { AUTH_DEFAULTS, type AuthModuleOptions, UIA_OPTIONS } from '../auth.options';
import { LoginFailedError, UnsupportedLoginError } from '../domain/auth.errors';
import { UiaSessionConflictError, UiaSessionRepository } from '../domain/ports/uia-session.repository';
import { UiaFlow, UiaSession } from '../domain/uia-session';
import { UiaChallenge, UiaRequestChangedError, UiaSessionInUseError, UiaWrongUserError, UnknownUiaSessionError } from '../domain/uia.errors';
import { AuthMetrics, NO_AUTH_METRICS, UiaFailure } from './ports/auth-metrics';
import { PasswordCredentials, PasswordVerifier } from './ports/password-verifier';

export const PASSWORD_STAGE = 'm.login.password';

/** Every account has a password, so one flow of one stage serves everyone. */
const FLOWS: readonly UiaFlow[] = [[PASSWORD_STAGE]];

/** Sessions a user may have open at once; starting one more drops the oldest, so that a token cannot fill the table. */
export const MAX_OPEN_SESSIONS_PER_USER = 10;

const PURGE_INTERVAL_MS = 5 * 60_000;

/** The `auth` object of a request: the session it continues, and the stage it attempts with that stage's fields. */
export interface UiaAuth extends PasswordCredentials {
  type?: string;
  session?: string;
}

/** The request a UIA session is for: who sends what, where. */
export interface UiaRequest {
  userId: string;
  method: string;
  path: string;
  /** The request body without its `auth`. */
  body: Record<string, unknown>;
}

/**
 * User-Interactive Authentication (spec: cs-client-auth-uia.md) for any endpoint: sessions are kept
 * in the database, bound to one user's one request, expire, and authorise that request once.
 */
@Injectable()
export class UiaService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(UiaService.name);
  private readonly sessionLifetimeMs: number;
  private readonly purge = new PeriodicPurge('expired UIA sessions', PURGE_INTERVAL_MS, () => this.purgeExpired(), this.logger);

  constructor(
    @Inject(UiaSessionRepository) private readonly sessions: UiaSessionRepository,
    @Inject(PasswordVerifier) private readonly passwords: PasswordVerifier,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(UIA_OPTIONS) options: AuthModuleOptions | AuthGuardsModuleOptions,
    @Inject(AuthMetrics) private readonly metrics: AuthMetrics = NO_AUTH_METRICS,
  ) {
    this.sessionLifetimeMs = options.uiaSessionLifetimeMs ?? AUTH_DEFAULTS.uiaSessionLifetimeMs;
  }

  onApplicationBootstrap(): void {
    this.purge.start();
  }

  onModuleDestroy(): void {
    this.purge.stop();
  }

  /**
   * Authorises the request if its `auth` completes a flow, and claims the session for it; returns
   * the session's ID for succeeded() or failed(). Otherwise throws the 401 UiaChallenge (with the
   * stage's error if it failed), or the error that stops the exchange.
   */
  async authorise(request: UiaRequest, auth: UiaAuth | undefined): Promise<string> {
    try {
      const sessionId = await this.authoriseOrChallenge(request, auth);
      this.metrics.uiaSucceeded();
      return sessionId;
    } catch (error) {
      if (error instanceof UiaChallenge && !error.failure) this.metrics.uiaChallenged();
      else this.metrics.uiaFailed(uiaFailureOf(error));
      throw error;
    }
  }

  private async authoriseOrChallenge(request: UiaRequest, auth: UiaAuth | undefined): Promise<string> {
    const requestHash = sha256Hex(`${request.method} ${request.path}\n${canonicalJson(request.body)}`);
    const now = this.clock.now();
    if (!auth || (auth.session === undefined && auth.type === undefined)) {
      const session = UiaSession.start(request.userId, requestHash, now);
      await this.insert(session);
      throw new UiaChallenge({ flows: FLOWS, session: session.id });
    }

    const isNew = auth.session === undefined;
    const session = isNew ? UiaSession.start(request.userId, requestHash, now) : await this.load(auth.session!, now);
    session.assertSameRequest(request.userId, requestHash);
    session.assertUnclaimed(now);
    if (auth.type !== undefined && !session.hasCompleted(auth.type)) {
      if (auth.type !== PASSWORD_STAGE) throw new UnsupportedLoginError(`Unknown login type ${auth.type}`);
      const failure = await this.checkPassword(request.userId, auth);
      if (failure) {
        await this.persist(session, isNew);
        throw new UiaChallenge({ flows: FLOWS, session: session.id, completed: session.completed }, failure);
      }
      session.completeStage(auth.type);
    }
    if (!session.satisfies(FLOWS)) {
      await this.persist(session, isNew);
      throw new UiaChallenge({ flows: FLOWS, session: session.id, completed: session.completed });
    }
    session.claim(now);
    await this.persist(session, isNew);
    return session.id;
  }

  /** The authorised request succeeded: the session is used up. */
  async succeeded(sessionId: string): Promise<void> {
    // A claimed session authorises nothing more, so a failure here loses nothing but disk space.
    await this.sessions.delete(sessionId);
  }

  /** The authorised request failed: the client may send it again with the same session. */
  async failed(sessionId: string): Promise<void> {
    const session = await this.sessions.findById(sessionId);
    if (!session) return;
    session.release();
    await this.sessions.save(session);
  }

  async purgeExpired(): Promise<number> {
    return this.sessions.deleteCreatedBefore(this.clock.now() - this.sessionLifetimeMs);
  }

  /** Stores a new session of the user's, dropping the oldest beyond the limit. */
  private async insert(session: UiaSession): Promise<void> {
    await this.sessions.keepNewest(session.userId, MAX_OPEN_SESSIONS_PER_USER - 1);
    await this.sessions.insert(session);
  }

  private async load(sessionId: string, now: number): Promise<UiaSession> {
    const session = await this.sessions.findById(sessionId);
    if (!session || session.isExpired(now, this.sessionLifetimeMs)) throw new UnknownUiaSessionError();
    return session;
  }

  /** A concurrent request with the same session got there first; the client retries and learns how it went. */
  private async persist(session: UiaSession, isNew: boolean): Promise<void> {
    try {
      await (isNew ? this.insert(session) : this.sessions.save(session));
    } catch (error) {
      if (error instanceof UiaSessionConflictError) throw new UiaSessionInUseError();
      throw error;
    }
  }

  /**
   * Undefined if the password is the user's own; the LoginFailedError to put in the 401 if it is
   * wrong. Credentials naming anyone else get 403 without their password being checked, so that
   * UIA tells nothing about other accounts' passwords; the user's own wrong passwords count
   * towards the account's limit (429), as at login.
   */
  private async checkPassword(userId: string, credentials: PasswordCredentials): Promise<MatrixError | undefined> {
    if ((await this.passwords.identify(credentials)) !== userId) throw new UiaWrongUserError();
    try {
      await this.passwords.verify(userId, credentials.password!);
    } catch (error) {
      if (error instanceof LoginFailedError) return error;
      throw error;
    }
    return undefined;
  }
}

/** Why a request was refused, for the metrics. */
function uiaFailureOf(error: unknown): UiaFailure {
  if (error instanceof UiaChallenge) return 'wrong_password'; // the only stage that fails is the password
  if (error instanceof UiaWrongUserError) return 'wrong_user';
  if (error instanceof UnknownUiaSessionError || error instanceof UiaRequestChangedError) return 'invalid_session';
  if (error instanceof UiaSessionInUseError) return 'session_in_use';
  // Too many wrong passwords: TooManyFailedAttemptsError, or a host's PasswordVerifier's own 429.
  if (error instanceof MatrixError && error.status === 429) return 'rate_limited';
  if (error instanceof MatrixError && error.status === 400) return 'invalid_request';
  return 'error';
}
