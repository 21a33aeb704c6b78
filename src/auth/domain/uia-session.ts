import { randomBytes } from 'node:crypto';
import { constantTimeEqual } from '../../common/constant-time-equal';
import { UiaRequestChangedError, UiaSessionInUseError, UnknownUiaSessionError } from './uia.errors';

/**
 * Longer than serving any request a session authorises may take. A claim older than this was
 * abandoned (the process serving it stopped); the session then authorises nothing any more.
 */
export const CLAIM_TIMEOUT_MS = 60_000;

/** A flow: the stages a client completes, in order, to be authorised. */
export type UiaFlow = readonly string[];

export interface UiaSessionState {
  id: string;
  /** Whose request started the session: only that user's requests can continue it. */
  userId: string;
  /** SHA-256 of the method, path and body (minus `auth`) of the request the session authorises. */
  requestHash: string;
  /** The stage types completed so far, in order. */
  completed: string[];
  createdAt: number;
  /** When a request this session authorised began to be served; it stays set once that request succeeded. */
  claimedAt?: number;
  /** Optimistic concurrency: a save succeeds only if nobody saved the session since it was loaded. */
  version: number;
}

/**
 * One User-Interactive Authentication exchange: the client completes stages until a flow is done,
 * and the session then authorises exactly the request it was started for, once.
 */
export class UiaSession {
  private constructor(private readonly state: UiaSessionState) {}

  static start(userId: string, requestHash: string, now: number): UiaSession {
    return new UiaSession({ id: randomBytes(24).toString('base64url'), userId, requestHash, completed: [], createdAt: now, version: 0 });
  }

  static restore(state: UiaSessionState): UiaSession {
    return new UiaSession({ ...state, completed: [...state.completed] });
  }

  get id(): string {
    return this.state.id;
  }
  get userId(): string {
    return this.state.userId;
  }
  get completed(): readonly string[] {
    return this.state.completed;
  }

  snapshot(): UiaSessionState {
    return { ...this.state, completed: [...this.state.completed] };
  }

  isExpired(now: number, lifetimeMs: number): boolean {
    return now >= this.state.createdAt + lifetimeMs;
  }

  /**
   * The session authorises one request of one user: another user, method, path or body cannot use
   * it (unlike Synapse, which lets the body change between stages). The hash covers the body's
   * secrets (a client_secret), so it is compared in constant time.
   */
  assertSameRequest(userId: string, requestHash: string): void {
    if (userId !== this.state.userId || !constantTimeEqual(requestHash, this.state.requestHash)) throw new UiaRequestChangedError();
  }

  hasCompleted(stage: string): boolean {
    return this.state.completed.includes(stage);
  }

  completeStage(stage: string): void {
    if (!this.hasCompleted(stage)) this.state.completed.push(stage);
  }

  /** Whether the completed stages make up one of the flows, in its order. */
  satisfies(flows: readonly UiaFlow[]): boolean {
    return flows.some((flow) => flow.length > 0 && flow.every((stage, index) => this.state.completed[index] === stage));
  }

  get isClaimed(): boolean {
    return this.state.claimedAt !== undefined;
  }

  /**
   * A claimed session can be used by nobody else: the client waits for the request being served
   * (429), or, once that claim is abandoned, starts a new session (400, as for an unknown one).
   */
  assertUnclaimed(now: number): void {
    if (this.state.claimedAt === undefined) return;
    if (now - this.state.claimedAt < CLAIM_TIMEOUT_MS) throw new UiaSessionInUseError();
    throw new UnknownUiaSessionError();
  }

  /**
   * The request the session authorises is being served. A claimed session authorises nothing else:
   * it is released if that request fails, and never if it succeeds.
   */
  claim(now: number): void {
    this.assertUnclaimed(now);
    this.state.claimedAt = now;
  }

  release(): void {
    this.state.claimedAt = undefined;
  }
}
