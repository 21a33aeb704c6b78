/**
 * Password attempts per key, shared by every instance: what a login typed (its canonical form,
 * whether or not it names an account, so that the limit answers alike for both) and the account it
 * names (see PasswordAuthenticator). An attempt is recorded before the password is checked, so that
 * concurrent guesses count against each other; it is forgotten if it turns out not to be a wrong
 * password.
 */
export interface FailedAttemptRepository {
  /** Records an attempt at `time`; returns its ID. */
  record(key: string, time: number): Promise<string>;
  /** The times of the key's recorded attempts at or after `since`, oldest first. */
  timesSince(key: string, since: number): Promise<number[]>;
  forget(attemptId: string): Promise<void>;
  /** Forgets every attempt recorded under the key. */
  forgetAccount(key: string): Promise<void>;
  /** Deletes attempts older than the given time; returns how many. */
  deleteBefore(time: number): Promise<number>;
}
export const FailedAttemptRepository = Symbol('FailedAttemptRepository');
