/**
 * Password attempts per user, shared by every instance. An attempt is recorded before the password
 * is checked, so that concurrent guesses count against each other; it is forgotten if it turns out
 * not to be a wrong password.
 */
export interface FailedAttemptRepository {
  /** Records an attempt at `time`; returns its ID. */
  record(userId: string, time: number): Promise<string>;
  /** The times of the user's recorded attempts at or after `since`, oldest first. */
  timesSince(userId: string, since: number): Promise<number[]>;
  forget(attemptId: string): Promise<void>;
  forgetUser(userId: string): Promise<void>;
  /** Deletes attempts older than the given time; returns how many. */
  deleteBefore(time: number): Promise<number>;
}
export const FailedAttemptRepository = Symbol('FailedAttemptRepository');
