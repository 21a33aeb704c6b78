import { randomBytes, randomInt } from 'node:crypto';
import { constantTimeEqual } from '../../common/constant-time-equal';
import { sha256Hex } from '../../common/sha256';
import { Medium } from './medium';
import {
  DeliveryInProgressError,
  NoValidSessionError,
  SessionExpiredError,
  ThreePidAuthFailedError,
  TokenIncorrectError,
} from './validation.errors';

export interface ValidationLifetimes {
  /** How long each token sent can be submitted. */
  tokenMs: number;
  /** How long the session lives from its creation: validation and use to add an address included. */
  sessionMs: number;
}

/** After this many wrong tokens the session accepts none (SMS codes are short); a new session is needed. */
export const MAX_TOKEN_FAILURES = 5;

/** Tokens a session remembers; older ones are dropped when another is sent. */
export const MAX_LIVE_TOKENS = 10;

/**
 * How long sending a message may take (SMTP and webhook time out sooner). A token whose delivery
 * was not confirmed within this time counts as never sent, so that the same send_attempt sends
 * again (the process that was sending it may have crashed), and it validates nothing any more.
 */
export const DELIVERY_TIMEOUT_MS = 60_000;

/** A token as stored: its hash only. */
export interface ValidationTokenRecord {
  hash: string;
  issuedAt: number;
  expiresAt: number;
  /** The message carrying it went out; until then a retry of the same request must not claim so. */
  delivered: boolean;
  /** The send_attempt it was sent for. */
  sendAttempt: number;
}

/** What a requestToken with a given send_attempt should do. */
export type SendDecision = 'send' | 'already-sent' | 'sending';

/** Everything a session is made of, as a repository stores and restores it. */
export interface ValidationSessionState {
  sid: string;
  medium: Medium;
  /** Canonical address (see three-pid-address.ts). */
  address: string;
  clientSecretHash: string;
  /** Identifies the unvalidated session of one (medium, address, client_secret); unset once validated. */
  pendingKey?: string;
  lastSendAttempt: number;
  /** Where the browser goes after validating by e-mail link, `sid` included. */
  nextLink?: string;
  createdAt: number;
  validatedAt?: number;
  /**
   * The hash of the token that validated the session, so that taking that token back (its message
   * could not be sent) undoes the validation. Unset in sessions validated before it was recorded.
   */
  validatedBy?: string;
  consumedAt?: number;
  tokenFailures: number;
  tokens: ValidationTokenRecord[];
  /** Optimistic concurrency: a save succeeds only if nobody saved the session since it was loaded. */
  version: number;
}

export type SubmitOutcome = 'validated' | 'already-validated';

/**
 * A user proving control of an e-mail address or phone number: the homeserver sends a token to
 * the address, and whoever submits it with the right client_secret validates the session. A
 * validated session may then add the address to one account, once, within the session's lifetime.
 * Sessions are not bound to an account: requestToken needs no access token.
 */
export class ValidationSession {
  private changed = false;

  private constructor(private readonly state: ValidationSessionState) {}

  /** A new session with its first token; returns the session and the token to deliver. */
  static start(input: {
    medium: Medium;
    address: string;
    clientSecret: string;
    sendAttempt: number;
    nextLink?: URL;
    now: number;
    lifetimes: ValidationLifetimes;
  }): { session: ValidationSession; token: string } {
    const session = new ValidationSession({
      sid: randomBytes(18).toString('base64url'),
      medium: input.medium,
      address: input.address,
      clientSecretHash: sha256Hex(input.clientSecret),
      pendingKey: ValidationSession.pendingKeyFor(input.medium, input.address, input.clientSecret),
      lastSendAttempt: input.sendAttempt,
      createdAt: input.now,
      tokenFailures: 0,
      tokens: [],
      version: 0,
    });
    const token = session.issueToken(input.sendAttempt, input.nextLink, input.now, input.lifetimes);
    return { session, token };
  }

  static restore(state: ValidationSessionState): ValidationSession {
    return new ValidationSession({ ...state, tokens: state.tokens.map((record) => ({ ...record })) });
  }

  /** Requests for the same (medium, address, client_secret) continue one unvalidated session. */
  static pendingKeyFor(medium: Medium, address: string, clientSecret: string): string {
    return sha256Hex(`${medium}\0${address}\0${clientSecret}`);
  }

  get sid(): string {
    return this.state.sid;
  }
  get medium(): Medium {
    return this.state.medium;
  }
  get address(): string {
    return this.state.address;
  }
  get lastSendAttempt(): number {
    return this.state.lastSendAttempt;
  }
  get nextLink(): string | undefined {
    return this.state.nextLink;
  }
  /** What is left of the session's lifetime. */
  remainingMs(now: number, lifetimes: ValidationLifetimes): number {
    return this.expiresAt(lifetimes) - now;
  }
  get isValidated(): boolean {
    return this.state.validatedAt !== undefined;
  }
  get validatedAt(): number | undefined {
    return this.state.validatedAt;
  }
  /** Whether a message of the session's ever went out (a token marked delivered, and kept since). */
  get hasSentMessage(): boolean {
    return this.state.tokens.some((record) => record.delivered);
  }
  /** Whether anything changed since the session was started or restored. */
  get hasChanges(): boolean {
    return this.changed;
  }

  /** A copy of the state, for the repository. */
  snapshot(): ValidationSessionState {
    return { ...this.state, tokens: this.state.tokens.map((record) => ({ ...record })) };
  }

  expiresAt(lifetimes: ValidationLifetimes): number {
    return this.state.createdAt + lifetimes.sessionMs;
  }

  isExpired(now: number, lifetimes: ValidationLifetimes): boolean {
    return now >= this.expiresAt(lifetimes);
  }

  isOwnedBy(clientSecret: string): boolean {
    return constantTimeEqual(sha256Hex(clientSecret), this.state.clientSecretHash);
  }

  /**
   * Too many wrong tokens: the session accepts none, ever (guessing six-digit codes must not pay).
   * A new requestToken then starts a new session.
   */
  get isLocked(): boolean {
    return this.state.tokenFailures >= MAX_TOKEN_FAILURES;
  }

  /**
   * A client retrying a request repeats its send_attempt; only a higher one asks for a new message.
   * A request is answered as sent only once a message of its send_attempt (or a later one) really
   * went out: while one is still being sent the client must wait, and one whose delivery was never
   * confirmed, or that was taken back, is sent again. So each send has one live unsent token at
   * most, its own.
   */
  decideSend(sendAttempt: number, now: number): SendDecision {
    const covering = this.state.tokens.filter((record) => record.sendAttempt >= sendAttempt);
    if (covering.some((record) => record.delivered)) return 'already-sent';
    return covering.some((record) => isBeingSent(record, now)) ? 'sending' : 'send';
  }

  /**
   * A new token for a new message, not yet delivered (see confirmDelivery). Earlier tokens stay
   * valid until they expire; wrong tokens already submitted still count. Returns the token, which
   * is stored only as a hash.
   */
  issueToken(sendAttempt: number, nextLink: URL | undefined, now: number, lifetimes: ValidationLifetimes): string {
    if (this.isValidated) throw new Error('A validated session needs no token');
    const token =
      this.state.medium === 'email' ? randomBytes(24).toString('base64url') : String(randomInt(0, 1_000_000)).padStart(6, '0');
    // Tokens whose message never went out are forgotten, and only the latest few are kept, so that
    // a session stays small. Expired ones stay, so that submitting one says "expired".
    this.state.tokens = this.state.tokens
      .filter((record) => record.delivered || now - record.issuedAt < DELIVERY_TIMEOUT_MS)
      .slice(-(MAX_LIVE_TOKENS - 1));
    this.state.tokens.push({
      hash: this.tokenHash(token),
      issuedAt: now,
      expiresAt: Math.min(now + lifetimes.tokenMs, this.expiresAt(lifetimes)),
      delivered: false,
      sendAttempt,
    });
    this.state.lastSendAttempt = Math.max(this.state.lastSendAttempt, sendAttempt);
    if (nextLink) {
      // The client's own parameters stay byte for byte; only a `sid` among them is replaced.
      const target = new URL(nextLink);
      const kept = target.search.slice(1).split('&').filter((parameter) => parameter && parameter.split('=', 1)[0] !== 'sid');
      target.search = [...kept, `sid=${encodeURIComponent(this.state.sid)}`].join('&');
      this.state.nextLink = target.href;
    }
    this.changed = true;
    return token;
  }

  /** The message carrying the token went out. */
  confirmDelivery(token: string): void {
    const record = this.findToken(token);
    if (!record || record.delivered) return;
    record.delivered = true;
    this.changed = true;
  }

  /**
   * Undoes issueToken when the message could not be delivered, so that a retry sends again: the
   * token goes, and the next_link goes back to `previous` unless a later request changed it. If the
   * token validated the session meanwhile (a quick submission), that is undone too: no session
   * stays validated by a message that was never sent. It is then pending again under `reopenAs`
   * (its pending key), if given. (It cannot have been used: consume() waits for the delivery.)
   */
  withdrawToken(token: string, previous: { nextLink?: string }, reopenAs?: string): void {
    const hash = this.tokenHash(token);
    const index = this.state.tokens.findIndex((record) => constantTimeEqual(record.hash, hash));
    if (index >= 0) {
      if (index === this.state.tokens.length - 1) this.state.nextLink = previous.nextLink;
      this.state.tokens.splice(index, 1);
    }
    if (this.state.validatedBy !== undefined && constantTimeEqual(this.state.validatedBy, hash)) {
      this.state.validatedAt = undefined;
      this.state.validatedBy = undefined;
      this.state.pendingKey = reopenAs;
    }
    this.state.lastSendAttempt = Math.max(Number.MIN_SAFE_INTEGER, ...this.state.tokens.map((record) => record.sendAttempt));
    this.changed = true;
  }

  /**
   * The holder of the client_secret checks that it can open the session, before submitting a token
   * (the e-mail link's confirmation page). Throws as submitToken would, token aside.
   */
  assertOpenableBy(clientSecret: string, now: number, lifetimes: ValidationLifetimes): void {
    if (!this.isOwnedBy(clientSecret)) throw new NoValidSessionError();
    if (this.isExpired(now, lifetimes)) throw new SessionExpiredError('session');
  }

  /**
   * Validates the session with a token it sent. Submitting a correct token again, while it has not
   * expired, is harmless (a second click on the link). A token whose message is still being sent
   * validates too (a quick click), which taking the token back undoes (withdrawToken); one whose
   * delivery was never confirmed in time counts as never sent: expired.
   */
  submitToken(token: string, clientSecret: string, now: number, lifetimes: ValidationLifetimes): SubmitOutcome {
    this.assertOpenableBy(clientSecret, now, lifetimes);
    // People copy SMS codes with spaces; tokens never contain white space.
    const record = this.findToken(token.replace(/\s+/g, ''));
    if (this.isValidated) {
      if (!record) throw new TokenIncorrectError();
      if (record.expiresAt <= now) throw new SessionExpiredError('token');
      return 'already-validated';
    }
    if (this.isLocked) throw new SessionExpiredError('too-many-attempts');
    if (!record) {
      this.state.tokenFailures += 1;
      this.changed = true;
      throw new TokenIncorrectError();
    }
    if (record.expiresAt <= now || (!record.delivered && !isBeingSent(record, now))) throw new SessionExpiredError('token');
    this.state.validatedAt = now;
    this.state.validatedBy = record.hash;
    this.state.pendingKey = undefined;
    this.changed = true;
    return 'validated';
  }

  /**
   * Uses the validated session to add its address to an account: once, and only while it lives,
   * and only once the message whose token validated it went out (until then the client retries,
   * 429; if it never does, the session is not validated).
   */
  consume(clientSecret: string, now: number, lifetimes: ValidationLifetimes): void {
    if (!this.isOwnedBy(clientSecret)) throw new ThreePidAuthFailedError('unknown');
    if (!this.isValidated) throw new ThreePidAuthFailedError('not-validated');
    if (this.isExpired(now, lifetimes)) throw new ThreePidAuthFailedError('expired');
    if (this.state.consumedAt !== undefined) throw new ThreePidAuthFailedError('used');
    const validatedBy = this.state.validatedBy;
    const validating = validatedBy === undefined ? undefined : this.state.tokens.find((record) => constantTimeEqual(record.hash, validatedBy));
    if (validatedBy !== undefined && !validating?.delivered) {
      if (validating && isBeingSent(validating, now)) {
        throw new DeliveryInProgressError('The message that validated this session is still being sent. Please try again shortly');
      }
      throw new ThreePidAuthFailedError('not-validated');
    }
    this.state.consumedAt = now;
    this.changed = true;
  }

  /** Compared in constant time: a submitted token must not learn a stored hash by timing. */
  private findToken(token: string): ValidationTokenRecord | undefined {
    const hash = this.tokenHash(token);
    return this.state.tokens.find((record) => constantTimeEqual(record.hash, hash));
  }

  /** Tokens are unique per session only (six-digit SMS codes repeat across sessions). */
  private tokenHash(token: string): string {
    return sha256Hex(`${this.state.sid}:${token}`);
  }
}

/** Issued, its delivery not confirmed, and not yet given up on. */
function isBeingSent(record: ValidationTokenRecord, now: number): boolean {
  return !record.delivered && now - record.issuedAt < DELIVERY_TIMEOUT_MS;
}
