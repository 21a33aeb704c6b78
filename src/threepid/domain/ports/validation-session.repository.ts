import { ValidationSession } from '../validation-session';

/** Another request changed or created the session first; the caller reloads and decides again. */
export class ValidationSessionConflictError extends Error {
  constructor() {
    super('The validation session was changed by another request');
    this.name = 'ValidationSessionConflictError';
  }
}

/** Validation sessions with their tokens, shared by every instance through the database. */
export interface ValidationSessionRepository {
  findBySid(sid: string): Promise<ValidationSession | undefined>;
  /** The unvalidated session with this pending key (see ValidationSession.pendingKeyFor), if any. */
  findPending(pendingKey: string): Promise<ValidationSession | undefined>;
  /** Stores a new session; ValidationSessionConflictError if one with its pending key exists. */
  insert(session: ValidationSession): Promise<void>;
  /** Stores the session's changes; ValidationSessionConflictError if it was saved since it was loaded. */
  save(session: ValidationSession): Promise<void>;
  delete(sid: string): Promise<void>;
  /** Deletes the session only if nobody saved it since it was loaded or inserted; true if deleted. */
  deleteIfUnchanged(session: ValidationSession): Promise<boolean>;
  /** Deletes every session created before the given time, tokens included; returns how many. */
  deleteCreatedBefore(time: number): Promise<number>;
}
export const ValidationSessionRepository = Symbol('ValidationSessionRepository');
