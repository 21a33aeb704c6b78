import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy, Optional } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { RateLimiter } from '../../common/rate-limiter';
import { PeriodicPurge } from '../../common/periodic-purge';
import { InvalidParamError } from '../../common/errors/matrix-error';
import { Medium } from '../domain/medium';
import { EmailSender } from '../domain/ports/email-sender';
import { SmsSender } from '../domain/ports/sms-sender';
import { ThreePidEventPublisher } from '../domain/ports/three-pid-event-publisher';
import { ThreePidPolicy } from '../domain/ports/three-pid-policy';
import { ThreePidRepository } from '../domain/ports/three-pid.repository';
import { ValidationSessionConflictError, ValidationSessionRepository } from '../domain/ports/validation-session.repository';
import { canonicalEmail, parsePhoneNumber } from '../domain/three-pid-address';
import { ThreePidValidatedEvent, ValidationRequestedEvent } from '../domain/three-pid.events';
import { ThreePidInUseError } from '../domain/three-pid.errors';
import { NextLinkPolicy } from '../domain/three-pid-policy';
import { DeliveryFailedError, DeliveryInProgressError, NoValidSessionError, ThreePidDeniedError } from '../domain/validation.errors';
import { SubmitOutcome, ValidationSession } from '../domain/validation-session';
import { THREE_PID_MODULE_OPTIONS, type ThreePidModuleOptions } from '../three-pid.options';
import { NO_THREE_PID_METRICS, ThreePidMetrics } from './ports/three-pid-metrics';
import { emailValidationLink, MSISDN_SUBMIT_TOKEN_PATH, ValidationMessages } from './validation-messages';

/** What both requestToken endpoints take, in domain terms. */
export interface TokenRequest {
  /** Who asks, for the per-client limit: an IP (IPv6 per /64). */
  client: string;
  clientSecret: string;
  sendAttempt: number;
  nextLink?: string;
  idServer?: string;
  idAccessToken?: string;
}

export interface MsisdnTokenResult {
  sid: string;
  msisdn: string;
  internationalFormat: string;
  submitUrl: string;
}

export interface TokenSubmission {
  sid: string;
  clientSecret: string;
  token: string;
}

/** A token stored and about to be sent, with what takes it back if sending fails. */
interface PendingDelivery {
  token: string;
  undo: () => Promise<unknown>;
}

/** How often expired sessions are deleted; any instance may do it, deleting twice is harmless. */
const PURGE_INTERVAL_MS = 10 * 60_000;
/**
 * Attempts at a read-decide-write cycle before giving up on a session many requests change at once.
 * More than MAX_TOKEN_FAILURES: each lost round is another request's win, and a locked session stops changing.
 */
const MAX_CONFLICT_RETRIES = 10;

/**
 * Proving control of an address: requestToken starts or continues a validation session and sends
 * a token; submitting the token validates the session. Sessions live in the database, so any
 * instance can finish what another began.
 */
@Injectable()
export class ValidationService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ValidationService.name);
  private readonly nextLinks: NextLinkPolicy;
  private readonly purge = new PeriodicPurge('expired validation sessions', PURGE_INTERVAL_MS, () => this.purgeExpired(), this.logger);
  private readonly sendTimes = new SendTimes();

  constructor(
    @Inject(ValidationSessionRepository) private readonly sessions: ValidationSessionRepository,
    @Inject(ThreePidRepository) private readonly threePids: ThreePidRepository,
    @Inject(EmailSender) private readonly email: EmailSender,
    @Inject(SmsSender) private readonly sms: SmsSender,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(THREE_PID_MODULE_OPTIONS) private readonly options: ThreePidModuleOptions,
    @Inject(ThreePidPolicy) private readonly policy: ThreePidPolicy,
    private readonly messages: ValidationMessages,
    @Inject(ThreePidEventPublisher) private readonly events: ThreePidEventPublisher,
    @Optional() @Inject(RateLimiter) private readonly limiter?: RateLimiter,
    @Inject(ThreePidMetrics) private readonly metrics: ThreePidMetrics = NO_THREE_PID_METRICS,
  ) {
    this.nextLinks = new NextLinkPolicy(options.nextLinkHosts);
  }

  onApplicationBootstrap(): void {
    this.purge.start();
  }

  onModuleDestroy(): void {
    this.purge.stop();
  }

  /** POST /account/3pid/email/requestToken, after the changes and medium checks. */
  async requestEmailToken(request: TokenRequest & { email: string }): Promise<{ sid: string }> {
    const address = canonicalEmail(request.email);
    const sid = await this.requestToken('email', address, request, (session, token) =>
      this.email.send(
        this.messages.email({
          to: address,
          serverName: this.options.serverName,
          link: emailValidationLink(this.options.publicBaseUrl, session.sid, request.clientSecret, token),
          validForMs: this.options.lifetimes.tokenMs,
        }),
      ),
    );
    return { sid };
  }

  /** POST /account/3pid/msisdn/requestToken, after the changes and medium checks. */
  async requestMsisdnToken(request: TokenRequest & { country: string; phoneNumber: string }): Promise<MsisdnTokenResult> {
    const phone = parsePhoneNumber(request.country, request.phoneNumber);
    const sid = await this.requestToken('msisdn', phone.msisdn, request, (_session, token) =>
      this.sms.send(
        phone.msisdn,
        this.messages.sms({ serverName: this.options.serverName, token, validForMs: this.options.lifetimes.tokenMs }),
      ),
    );
    return {
      sid,
      msisdn: phone.msisdn,
      internationalFormat: phone.international,
      submitUrl: `${this.options.publicBaseUrl}${MSISDN_SUBMIT_TOKEN_PATH}`,
    };
  }

  /**
   * The checks after the address parsed, in this order: the ThreePidPolicy lets anyone add it (403
   * M_THREEPID_DENIED), id_server with its token (M_INVALID_PARAM), next_link (M_INVALID_PARAM), the
   * requestToken limit (429), not on any account (M_THREEPID_IN_USE). Then a token goes out unless
   * this send_attempt was already served, and once it went out, the request is announced.
   *
   * With `inhibitInUseErrors`, an address on an account goes the same way, session, token, `sid`
   * and all, except that its message is never sent (nor announced): the answer waits about as long
   * as sending takes here instead (SendTimes). Whoever submits a token for that session is answered
   * as for any session with a wrong token, since nobody has the token.
   */
  private async requestToken(
    medium: Medium,
    address: string,
    request: TokenRequest,
    send: (session: ValidationSession, token: string) => Promise<void>,
  ): Promise<string> {
    if (!(await this.policy.mayAdd({ medium, address }))) throw new ThreePidDeniedError(medium);
    if (request.idServer !== undefined && request.idAccessToken === undefined) {
      throw new InvalidParamError('id_access_token is required when id_server is given');
    }
    const nextLink = request.nextLink !== undefined ? this.nextLinks.parse(request.nextLink) : undefined;
    // Before anything is looked up, written or sent. Every well-formed request counts, repeats and
    // addresses in use included, so that one address cannot be mail-bombed from many clients, nor
    // the 429 tell which addresses are taken.
    if (this.limiter && this.options.requestTokenLimit) {
      await this.limiter.consume(
        [
          { limit: 'request_token_client', key: `request-token:client:${request.client}` },
          { limit: 'request_token_address', key: `request-token:${medium}:${address}` },
        ],
        this.options.requestTokenLimit,
      );
    }
    const inUse = await this.threePids.isInUse(medium, address);
    if (inUse && !this.options.inhibitInUseErrors) throw new ThreePidInUseError();

    const { session, delivery, started } = await this.retryOnConflict(() => this.prepareToken(medium, address, request, nextLink));
    if (delivery && inUse) {
      await this.deliver(session, delivery, () => this.sendTimes.pretend(medium));
    } else if (delivery) {
      try {
        await this.deliver(session, delivery, (current, token) => this.sendTimes.measure(medium, () => send(current, token)));
      } catch (error) {
        if (error instanceof DeliveryFailedError) this.metrics.validationMessageFailed(medium);
        throw error;
      }
      this.metrics.validationMessageSent(medium);
      if (started) this.metrics.validationSessionStarted(medium);
      this.events.publish(new ValidationRequestedEvent(session.sid, medium, address, this.clock.now()));
    }
    return session.sid;
  }

  /**
   * Finds or starts the session this request belongs to and, unless this send_attempt was already
   * served, stores a new token for it, with what undoes that if the message cannot be sent.
   * `started`: the message will be the session's first to go out.
   */
  private async prepareToken(
    medium: Medium,
    address: string,
    request: TokenRequest,
    nextLink: URL | undefined,
  ): Promise<{ session: ValidationSession; delivery?: PendingDelivery; started?: boolean }> {
    const now = this.clock.now();
    const lifetimes = this.options.lifetimes;
    let pending = await this.sessions.findPending(ValidationSession.pendingKeyFor(medium, address, request.clientSecret));
    // A session that can no longer be validated makes way for a new one (with a new sid).
    if (pending && (pending.isLocked || pending.isExpired(now, lifetimes))) {
      await this.sessions.delete(pending.sid);
      pending = undefined;
    }

    if (pending) {
      const decision = pending.decideSend(request.sendAttempt, now);
      if (decision === 'already-sent') return { session: pending }; // a retry: nothing is sent again
      if (decision === 'sending') throw new DeliveryInProgressError();
      if (pending.remainingMs(now, lifetimes) >= lifetimes.tokenMs) {
        const session = pending;
        const previous = { nextLink: session.nextLink };
        // A session whose first message could not be sent is started by the message that goes out.
        const started = !session.hasSentMessage;
        const token = session.issueToken(request.sendAttempt, nextLink, now, lifetimes);
        await this.sessions.save(session);
        return { session, delivery: { token, undo: () => this.withdraw(session.sid, token, request.clientSecret, previous) }, started };
      }
      // Too close to its end for a whole token lifetime: a new session instead.
      await this.sessions.delete(pending.sid);
    }

    const { clientSecret, sendAttempt } = request;
    const { session, token } = ValidationSession.start({ medium, address, clientSecret, sendAttempt, nextLink, now, lifetimes });
    await this.sessions.insert(session);
    const undo = async () => {
      // Unless another request went on with the session meanwhile, or its token was submitted: then only this token goes.
      if (await this.sessions.deleteIfUnchanged(session)) return;
      await this.withdraw(session.sid, token, clientSecret, {});
    };
    return { session, delivery: { token, undo }, started: true };
  }

  /**
   * Takes back a token whose message could not be sent, and a validation made with it meanwhile;
   * the session is then pending again, unless a new one of the same address and secret took its
   * place since.
   */
  private async withdraw(sid: string, token: string, clientSecret: string, previous: { nextLink?: string }): Promise<void> {
    await this.retryOnConflict(async () => {
      const session = await this.findSession(undefined, sid);
      const pendingKey = ValidationSession.pendingKeyFor(session.medium, session.address, clientSecret);
      const other = await this.sessions.findPending(pendingKey);
      session.withdrawToken(token, previous, other && other.sid !== sid ? undefined : pendingKey);
      await this.sessions.save(session);
    });
  }

  /**
   * The token is stored before the message goes out, so that a quick click always finds it, and
   * marked delivered once it went out. If sending fails, it is taken back, with a validation made
   * with it meanwhile, so that no session claims, or is validated by, a message that was never sent
   * (and if even that fails, the delivery timeout does it).
   */
  private async deliver(
    session: ValidationSession,
    { token, undo }: PendingDelivery,
    send: (session: ValidationSession, token: string) => Promise<void>,
  ): Promise<void> {
    try {
      await send(session, token);
    } catch (error) {
      this.logger.warn({ err: error, medium: session.medium, sid: session.sid }, `Could not send the validation ${session.medium}`);
      try {
        await undo();
      } catch (undoError) {
        this.logger.error({ err: undoError, sid: session.sid }, 'Could not take back an undelivered validation token');
      }
      throw new DeliveryFailedError(session.medium);
    }
    try {
      await this.updateSession(session.sid, (current) => current.confirmDelivery(token));
    } catch (error) {
      // The message went out; at worst a retry of this request sends it again after the timeout.
      this.logger.warn({ err: error, sid: session.sid }, 'Could not record a validation message as delivered');
    }
  }

  /**
   * The e-mail link's confirmation page: the session exists, belongs to this secret and lives.
   * Says where confirming leads, so that nobody is sent to a site they did not expect.
   */
  async openSession(
    medium: Medium,
    sid: string,
    clientSecret: string,
  ): Promise<{ address: string; validated: boolean; nextLinkHost?: string }> {
    const session = await this.findSession(medium, sid);
    session.assertOpenableBy(clientSecret, this.clock.now(), this.options.lifetimes);
    const nextLink = this.currentlyAllowed(session.nextLink);
    return { address: session.address, validated: session.isValidated, nextLinkHost: nextLink && new URL(nextLink).host };
  }

  /** Both submit_token endpoints. Returns where the browser goes next, if the client said. */
  async submitToken(medium: Medium, submission: TokenSubmission): Promise<{ outcome: SubmitOutcome; nextLink?: string }> {
    let outcome: SubmitOutcome = 'validated';
    const session = await this.updateSession(
      submission.sid,
      (current) => {
        outcome = current.submitToken(submission.token, submission.clientSecret, this.clock.now(), this.options.lifetimes);
      },
      medium,
    );
    if (outcome === 'validated') {
      this.metrics.validationSessionValidated(session.medium);
      this.events.publish(new ThreePidValidatedEvent(session.sid, session.medium, session.address, this.clock.now()));
    }
    return { outcome, nextLink: this.currentlyAllowed(session.nextLink) };
  }

  /** A stored next_link, if today's NEXT_LINK_ALLOWED_HOSTS still allows it. */
  private currentlyAllowed(nextLink: string | undefined): string | undefined {
    if (nextLink === undefined) return undefined;
    try {
      return this.nextLinks.parse(nextLink).href;
    } catch {
      return undefined;
    }
  }

  /** Deletes sessions past their lifetime, with their tokens. */
  async purgeExpired(): Promise<number> {
    return this.sessions.deleteCreatedBefore(this.clock.now() - this.options.lifetimes.sessionMs);
  }

  private async findSession(medium: Medium | undefined, sid: string): Promise<ValidationSession> {
    const session = await this.sessions.findBySid(sid);
    if (!session || (medium !== undefined && session.medium !== medium)) throw new NoValidSessionError();
    return session;
  }

  /**
   * Loads the session, applies a change and saves it, again if another request saved first. The
   * change is saved even when it then throws: a wrong token must count, whatever the answer.
   */
  private async updateSession(sid: string, change: (session: ValidationSession) => void, medium?: Medium): Promise<ValidationSession> {
    return this.retryOnConflict(async () => {
      const session = await this.findSession(medium, sid);
      let failure: unknown;
      try {
        change(session);
      } catch (error) {
        failure = error;
      }
      if (session.hasChanges) await this.sessions.save(session);
      if (failure) throw failure;
      return session;
    });
  }

  private async retryOnConflict<T>(attempt: () => Promise<T>): Promise<T> {
    for (let tries = 1; ; tries++) {
      try {
        return await attempt();
      } catch (error) {
        if (!(error instanceof ValidationSessionConflictError) || tries >= MAX_CONFLICT_RETRIES) throw error;
      }
    }
  }
}

/**
 * How long sending a validation message takes here, per medium: a moving average of the sends
 * that went out. An answer that sends nothing (THREEPID_INHIBIT_ERRORS) waits a random time
 * around it, from half to one and a half times the average, so that it takes about as long as an
 * answer that does; before anything was sent, 100 to 1000 ms, as Synapse waits.
 */
class SendTimes {
  private readonly averageMs = new Map<Medium, number>();

  async measure(medium: Medium, send: () => Promise<void>): Promise<void> {
    const start = performance.now();
    await send();
    const tookMs = performance.now() - start;
    const average = this.averageMs.get(medium);
    this.averageMs.set(medium, average === undefined ? tookMs : average * 0.8 + tookMs * 0.2);
  }

  async pretend(medium: Medium): Promise<void> {
    const average = this.averageMs.get(medium);
    const waitMs = average === undefined ? 100 + Math.random() * 900 : average * (0.5 + Math.random());
    await new Promise((resolve) => setTimeout(resolve, waitMs));
  }
}
