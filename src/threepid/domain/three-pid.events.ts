import type { Medium } from './medium';
import type { UnbindResult } from './ports/identity-server.gateway';

/*
 * What the 3PID feature tells a host, once the change is stored: never for a change that was
 * undone or refused. `occurredAt` is the module's Clock, in milliseconds since the epoch; addresses
 * are canonical. Each is published under its class's `eventName`, which it carries too. With Nest's
 * EventEmitterModule: `@OnEvent(ThreePidAddedEvent.eventName)`, or `@OnEvent('threepid.*')` for all (with `wildcard: true`).
 * A change to an account names its `actor`: the user, or who made it for them (`cli:<operator>`
 * for an admin command).
 */

/** An address was added to a user's account (POST /3pid/add, or the deprecated POST /3pid). */
export class ThreePidAddedEvent {
  static readonly eventName = 'threepid.added';
  readonly eventName = ThreePidAddedEvent.eventName;
  constructor(
    readonly userId: string,
    readonly medium: Medium,
    readonly address: string,
    readonly occurredAt: number,
    /** Who made the change: the user, unless someone did it for them. */
    readonly actor: string = userId,
  ) {}
}

/** An address was removed from a user's account (POST /3pid/delete), after it was unbound. */
export class ThreePidRemovedEvent {
  static readonly eventName = 'threepid.removed';
  readonly eventName = ThreePidRemovedEvent.eventName;
  constructor(
    readonly userId: string,
    readonly medium: Medium,
    readonly address: string,
    readonly occurredAt: number,
    /** Who made the change: the user, unless someone did it for them. */
    readonly actor: string = userId,
  ) {}
}

/** An identity server published the address as the user's (POST /3pid/bind), and the binding is recorded. */
export class ThreePidBoundEvent {
  static readonly eventName = 'threepid.bound';
  readonly eventName = ThreePidBoundEvent.eventName;
  constructor(
    readonly userId: string,
    readonly medium: Medium,
    readonly address: string,
    /** `host[:port]`. */
    readonly idServer: string,
    readonly occurredAt: number,
    /** Who made the change: the user, unless someone did it for them. */
    readonly actor: string = userId,
  ) {}
}

/**
 * An identity server answered an unbind (POST /3pid/unbind, or /3pid/delete), and the binding is
 * forgotten: `success` when it unbound the address, `no-support` when it does not unbind.
 */
export class ThreePidUnboundEvent {
  static readonly eventName = 'threepid.unbound';
  readonly eventName = ThreePidUnboundEvent.eventName;
  constructor(
    readonly userId: string,
    readonly medium: Medium,
    readonly address: string,
    readonly idServer: string,
    readonly result: UnbindResult,
    readonly occurredAt: number,
    /** Who made the change: the user, unless someone did it for them. */
    readonly actor: string = userId,
  ) {}
}

/**
 * A validation message went out (requestToken): an e-mail with a link, or an SMS with a code. No
 * user yet: requestToken needs no access token.
 */
export class ValidationRequestedEvent {
  static readonly eventName = 'threepid.validation_requested';
  readonly eventName = ValidationRequestedEvent.eventName;
  constructor(
    readonly sid: string,
    readonly medium: Medium,
    readonly address: string,
    readonly occurredAt: number,
  ) {}
}

/** Someone proved control of the address with the token sent to it; the session can now add it to an account. */
export class ThreePidValidatedEvent {
  static readonly eventName = 'threepid.validated';
  readonly eventName = ThreePidValidatedEvent.eventName;
  constructor(
    readonly sid: string,
    readonly medium: Medium,
    readonly address: string,
    readonly occurredAt: number,
  ) {}
}

export type ThreePidEvent =
  | ThreePidAddedEvent
  | ThreePidRemovedEvent
  | ThreePidBoundEvent
  | ThreePidUnboundEvent
  | ValidationRequestedEvent
  | ThreePidValidatedEvent;
