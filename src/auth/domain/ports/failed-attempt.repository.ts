/**
 * Password attempts per account, shared by every instance. An account is keyed by the user ID a
 * login names, whether or not it exists, so that the limit answers alike for both. An attempt is
 * recorded before the password is checked, so that concurrent guesses count against each other;
 * it is forgotten if it turns out not to be a wrong password.
 */
export interface FailedAttemptRepository {
  /** Records an attempt at `time`; returns its ID. */
  record(accountKey: string, time: number): Promise<string>;
  /** The times of the account's recorded attempts at or after `since`, oldest first. */
  timesSince(accountKey: string, since: number): Promise<number[]>;
  forget(attemptId: string): Promise<void>;
  forgetAccount(accountKey: string): Promise<void>;
  /** Deletes attempts older than the given time; returns how many. */
  deleteBefore(time: number): Promise<number>;
}
export const FailedAttemptRepository = Symbol('FailedAttemptRepository');
