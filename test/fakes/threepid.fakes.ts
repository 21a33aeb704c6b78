import { IdentityServerOperation, IdentityServerOutcome, ThreePidMetrics } from '../../src/threepid/application/ports/three-pid-metrics';
import { IdServer } from '../../src/threepid/domain/identity-server';
import { IdentityServerRefusedError } from '../../src/threepid/domain/identity-server.errors';
import { EmailMessage, EmailSender } from '../../src/threepid/domain/ports/email-sender';
import {
  BindRequest,
  IdentityServerGateway,
  PublishedAssociation,
  UnbindRequest,
  UnbindResult,
  ValidatedSessionQuery,
  ValidatedThreePid,
} from '../../src/threepid/domain/ports/identity-server.gateway';
import { ThreePidBinding, ThreePidBindingRepository } from '../../src/threepid/domain/ports/three-pid-binding.repository';
import { SmsSender } from '../../src/threepid/domain/ports/sms-sender';
import { ThreePidEventPublisher } from '../../src/threepid/domain/ports/three-pid-event-publisher';
import { ThreePidCandidate, ThreePidPolicy } from '../../src/threepid/domain/ports/three-pid-policy';
import { ThreePidRepository } from '../../src/threepid/domain/ports/three-pid.repository';
import { ValidationSessionConflictError, ValidationSessionRepository } from '../../src/threepid/domain/ports/validation-session.repository';
import { Medium } from '../../src/threepid/domain/medium';
import { ThreePid } from '../../src/threepid/domain/three-pid';
import { ThreePidEvent } from '../../src/threepid/domain/three-pid.events';
import { ThreePidInUseError } from '../../src/threepid/domain/three-pid.errors';
import { ValidationSession, ValidationSessionState } from '../../src/threepid/domain/validation-session';

/** Behaves as the TypeORM repository does: unique pending keys, and saves checked against the version. */
export class InMemoryValidationSessionRepository implements ValidationSessionRepository {
  readonly rows = new Map<string, ValidationSessionState>();
  /** Set to make the next save fail as if another request had saved first. */
  conflictsToSimulate = 0;
  failDeletes = false;

  async findBySid(sid: string): Promise<ValidationSession | undefined> {
    const row = this.rows.get(sid);
    return row && ValidationSession.restore(row);
  }

  async findPending(pendingKey: string): Promise<ValidationSession | undefined> {
    const row = [...this.rows.values()].find((candidate) => candidate.pendingKey === pendingKey);
    return row && ValidationSession.restore(row);
  }

  async insert(session: ValidationSession): Promise<void> {
    const state = session.snapshot();
    if (this.rows.has(state.sid) || [...this.rows.values()].some((row) => row.pendingKey && row.pendingKey === state.pendingKey)) {
      throw new ValidationSessionConflictError();
    }
    this.rows.set(state.sid, state);
  }

  async save(session: ValidationSession): Promise<void> {
    const state = session.snapshot();
    if (this.conflictsToSimulate > 0) {
      this.conflictsToSimulate -= 1;
      throw new ValidationSessionConflictError();
    }
    if (this.rows.get(state.sid)?.version !== state.version) throw new ValidationSessionConflictError();
    // The pending key is unique, as in the database.
    if (state.pendingKey && [...this.rows.values()].some((row) => row.sid !== state.sid && row.pendingKey === state.pendingKey)) {
      throw new ValidationSessionConflictError();
    }
    this.rows.set(state.sid, { ...state, version: state.version + 1 });
  }

  async delete(sid: string): Promise<void> {
    if (this.failDeletes) throw new Error('database unavailable');
    this.rows.delete(sid);
  }

  async deleteIfUnchanged(session: ValidationSession): Promise<boolean> {
    if (this.failDeletes) throw new Error('database unavailable');
    const { sid, version } = session.snapshot();
    if (this.rows.get(sid)?.version !== version) return false;
    return this.rows.delete(sid);
  }

  async deleteCreatedBefore(time: number): Promise<number> {
    const expired = [...this.rows.values()].filter((row) => row.createdAt < time);
    for (const row of expired) this.rows.delete(row.sid);
    return expired.length;
  }
}

/** Adding with a session checks the session's version in `sessions`, as the one transaction does. */
export class InMemoryThreePidRepository implements ThreePidRepository {
  readonly threePids: ThreePid[] = [];

  constructor(private readonly sessions?: InMemoryValidationSessionRepository) {}

  async findByUser(userId: string): Promise<ThreePid[]> {
    return this.threePids.filter((threePid) => threePid.userId === userId);
  }

  async isInUse(medium: Medium, address: string): Promise<boolean> {
    return this.threePids.some((threePid) => threePid.medium === medium && threePid.address === address);
  }

  async findOwner(medium: Medium, address: string): Promise<string | undefined> {
    return this.threePids.find((threePid) => threePid.medium === medium && threePid.address === address)?.userId;
  }

  async add(threePid: ThreePid): Promise<void> {
    if (await this.isInUse(threePid.medium, threePid.address)) throw new ThreePidInUseError();
    this.threePids.push(threePid);
  }

  async addConsumingSession(threePid: ThreePid, session: ValidationSession): Promise<void> {
    if (!this.sessions) throw new Error('InMemoryThreePidRepository needs the session repository for this');
    const stored = this.sessions.rows.get(session.sid);
    if (stored?.version !== session.snapshot().version) throw new ValidationSessionConflictError();
    if (await this.isInUse(threePid.medium, threePid.address)) throw new ThreePidInUseError();
    await this.sessions.save(session); // a simulated conflict throws here, before anything is added
    this.threePids.push(threePid);
  }

  async remove(userId: string, medium: Medium, address: string): Promise<boolean> {
    const index = this.threePids.findIndex((t) => t.userId === userId && t.medium === medium && t.address === address);
    if (index >= 0) this.threePids.splice(index, 1);
    return index >= 0;
  }
}

export class RecordingEmailSender implements EmailSender {
  readonly sent: EmailMessage[] = [];
  failure?: Error;
  /** Runs instead of sending, while the message is being sent (it may throw, as a failed send does). */
  sendHook?: (message: EmailMessage) => Promise<void>;

  async send(message: EmailMessage): Promise<void> {
    if (this.sendHook) return this.sendHook(message);
    if (this.failure) throw this.failure;
    this.sent.push(message);
  }
}

export class RecordingSmsSender implements SmsSender {
  readonly sent: { to: string; body: string }[] = [];
  failure?: Error;

  async send(to: string, body: string): Promise<void> {
    if (this.failure) throw this.failure;
    this.sent.push({ to, body });
  }
}

/** Keeps bindings as the TypeORM repository does: one per user, medium, address and server. */
export class InMemoryThreePidBindingRepository implements ThreePidBindingRepository {
  readonly bindings: ThreePidBinding[] = [];

  async record(binding: ThreePidBinding): Promise<void> {
    await this.remove(binding.userId, binding.medium, binding.address, binding.idServer);
    this.bindings.push({ ...binding });
  }

  async findIdServers(userId: string, medium: Medium, address: string): Promise<string[]> {
    return this.bindings
      .filter((b) => b.userId === userId && b.medium === medium && b.address === address)
      .map((b) => b.idServer)
      .sort();
  }

  async remove(userId: string, medium: Medium, address: string, idServer: string): Promise<void> {
    const index = this.bindings.findIndex((b) => b.userId === userId && b.medium === medium && b.address === address && b.idServer === idServer);
    if (index >= 0) this.bindings.splice(index, 1);
  }
}

type GatewayCall = { operation: 'bind' | 'unbind' | 'getValidated3pid'; idServer: string; request: object };

/**
 * Answers as the identity servers it is told to (by server, `host[:port]`), and records every call
 * it was asked to make; `onUnbind` sees each unbind before it is answered.
 */
export class RecordingIdentityServerGateway implements IdentityServerGateway {
  readonly calls: GatewayCall[] = [];
  unbindResults = new Map<string, UnbindResult | Error>();
  defaultUnbindResult: UnbindResult = 'success';
  association?: PublishedAssociation | Error;
  validated?: ValidatedThreePid | Error;
  onUnbind?: (request: UnbindRequest) => Promise<void>;

  async bind(idServer: IdServer, request: BindRequest): Promise<PublishedAssociation> {
    this.calls.push({ operation: 'bind', idServer: idServer.toString(), request });
    return answer(this.association ?? { medium: 'email', address: 'alice@example.org', mxid: request.mxid });
  }

  async unbind(idServer: IdServer, request: UnbindRequest): Promise<UnbindResult> {
    this.calls.push({ operation: 'unbind', idServer: idServer.toString(), request });
    await this.onUnbind?.(request);
    return answer(this.unbindResults.get(idServer.toString()) ?? this.defaultUnbindResult);
  }

  async getValidated3pid(idServer: IdServer, query: ValidatedSessionQuery): Promise<ValidatedThreePid> {
    this.calls.push({ operation: 'getValidated3pid', idServer: idServer.toString(), request: query });
    if (!this.validated) throw new IdentityServerRefusedError(404, 'M_NO_VALID_SESSION', 'No valid session');
    return answer(this.validated);
  }
}

async function answer<T>(outcome: T | Error): Promise<T> {
  if (outcome instanceof Error) throw outcome;
  return outcome;
}

/** Keeps every event published, in order. */
export class RecordingEventPublisher implements ThreePidEventPublisher {
  readonly events: ThreePidEvent[] = [];

  publish(event: ThreePidEvent): void {
    this.events.push(event);
  }

  /** The events' names, in order. */
  get names(): string[] {
    return this.events.map((event) => event.eventName);
  }
}

/** A host's own rules: addresses in `deniedAdditions` and `keptAddresses` are refused; every question asked is recorded. */
export class FakeThreePidPolicy implements ThreePidPolicy {
  readonly deniedAdditions = new Set<string>();
  readonly keptAddresses = new Set<string>();
  readonly asked: { question: 'mayAdd' | 'mayRemove'; candidate: ThreePidCandidate }[] = [];

  async mayAdd(candidate: ThreePidCandidate): Promise<boolean> {
    this.asked.push({ question: 'mayAdd', candidate });
    return !this.deniedAdditions.has(candidate.address);
  }

  async mayRemove(threePid: Required<ThreePidCandidate>): Promise<boolean> {
    this.asked.push({ question: 'mayRemove', candidate: threePid });
    return !this.keptAddresses.has(threePid.address);
  }
}

/** Every count, in order: `validationMessageSent email`, `identityServerCall bind success`. */
export class RecordingThreePidMetrics implements ThreePidMetrics {
  readonly counted: string[] = [];
  /** The durations identityServerCall reported, in order. */
  readonly seconds: number[] = [];

  validationMessageSent(medium: Medium): void {
    this.counted.push(`validationMessageSent ${medium}`);
  }
  validationMessageFailed(medium: Medium): void {
    this.counted.push(`validationMessageFailed ${medium}`);
  }
  validationSessionStarted(medium: Medium): void {
    this.counted.push(`validationSessionStarted ${medium}`);
  }
  validationSessionValidated(medium: Medium): void {
    this.counted.push(`validationSessionValidated ${medium}`);
  }
  threePidAdded(medium: Medium): void {
    this.counted.push(`threePidAdded ${medium}`);
  }
  threePidRemoved(medium: Medium): void {
    this.counted.push(`threePidRemoved ${medium}`);
  }
  identityServerCall(operation: IdentityServerOperation, outcome: IdentityServerOutcome, seconds: number): void {
    this.counted.push(`identityServerCall ${operation} ${outcome}`);
    this.seconds.push(seconds);
  }
}
