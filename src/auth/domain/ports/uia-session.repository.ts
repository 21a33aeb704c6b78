import { UiaSession } from '../uia-session';

/** Another request saved the session first; the caller decides again from the stored state. */
export class UiaSessionConflictError extends Error {
  constructor() {
    super('The UIA session was changed by another request');
    this.name = 'UiaSessionConflictError';
  }
}

/** UIA sessions, in the database so that any instance can continue a session another one started. */
export interface UiaSessionRepository {
  findById(id: string): Promise<UiaSession | undefined>;
  insert(session: UiaSession): Promise<void>;
  /** Stores the session's changes; UiaSessionConflictError if it was saved since it was loaded. */
  save(session: UiaSession): Promise<void>;
  delete(id: string): Promise<void>;
  /** Deletes the user's sessions except the `count` newest. */
  keepNewest(userId: string, count: number): Promise<void>;
  /** Deletes every session created before the given time; returns how many. */
  deleteCreatedBefore(time: number): Promise<number>;
}
export const UiaSessionRepository = Symbol('UiaSessionRepository');
