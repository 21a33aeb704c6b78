import { Medium } from '../../src/threepid/domain/medium';
import { ValidationLifetimes, ValidationSession } from '../../src/threepid/domain/validation-session';

/** What a built session was started with, for tests that submit, consume or move the clock. */
export const SESSION_DEFAULTS = {
  clientSecret: 'monkeys_are_GREAT',
  startedAt: 1_700_000_000_000,
  lifetimes: { tokenMs: 60 * 60_000, sessionMs: 24 * 60 * 60_000 } satisfies ValidationLifetimes,
} as const;

/** `aValidationSession().msisdn().startedAt(t).validated().build()` → `{ session, token }` */
export function aValidationSession(): ValidationSessionBuilder {
  return new ValidationSessionBuilder();
}

class ValidationSessionBuilder {
  private medium: Medium = 'email';
  private address = 'alice@example.org';
  private clientSecret: string = SESSION_DEFAULTS.clientSecret;
  private sendAttempt = 1;
  private nextLink?: URL;
  private now: number = SESSION_DEFAULTS.startedAt;
  private lifetimes: ValidationLifetimes = SESSION_DEFAULTS.lifetimes;
  private validatedAt?: number;
  private delivered = true;

  email(address = 'alice@example.org'): this {
    this.medium = 'email';
    this.address = address;
    return this;
  }

  msisdn(address = '447700900123'): this {
    this.medium = 'msisdn';
    this.address = address;
    return this;
  }

  withClientSecret(clientSecret: string): this {
    this.clientSecret = clientSecret;
    return this;
  }

  withSendAttempt(sendAttempt: number): this {
    this.sendAttempt = sendAttempt;
    return this;
  }

  withNextLink(nextLink: string): this {
    this.nextLink = new URL(nextLink);
    return this;
  }

  startedAt(now: number): this {
    this.now = now;
    return this;
  }

  withLifetimes(lifetimes: ValidationLifetimes): this {
    this.lifetimes = lifetimes;
    return this;
  }

  /** Its first token still being sent: issued, its delivery not yet confirmed. */
  sending(): this {
    this.delivered = false;
    return this;
  }

  /** Validated with its first token, `afterMs` after it started. */
  validated(afterMs = 1000): this {
    this.validatedAt = this.now + afterMs;
    return this;
  }

  /** The session as a repository would load it: no pending changes. */
  build(): { session: ValidationSession; token: string } {
    const { session, token } = ValidationSession.start({
      medium: this.medium,
      address: this.address,
      clientSecret: this.clientSecret,
      sendAttempt: this.sendAttempt,
      nextLink: this.nextLink,
      now: this.now,
      lifetimes: this.lifetimes,
    });
    if (this.delivered) session.confirmDelivery(token);
    if (this.validatedAt !== undefined) session.submitToken(token, this.clientSecret, this.validatedAt, this.lifetimes);
    return { session: ValidationSession.restore(session.snapshot()), token };
  }
}
