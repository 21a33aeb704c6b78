import { Medium } from '../medium';
import { ThreePid } from '../three-pid';
import { ValidationSession } from '../validation-session';

export interface ThreePidRepository {
  /** The user's 3PIDs, oldest first. */
  findByUser(userId: string): Promise<ThreePid[]>;
  /** Whether the address is on any account. */
  isInUse(medium: Medium, address: string): Promise<boolean>;
  /** The user ID of the account the address is on, if any. */
  findOwner(medium: Medium, address: string): Promise<string | undefined>;
  /** Throws ThreePidInUseError when the address is already on any account. */
  add(threePid: ThreePid): Promise<void>;
  /**
   * Adds the 3PID and saves the validation session that vouches for it (consumed), in one
   * transaction: ThreePidInUseError or ValidationSessionConflictError, and neither is written.
   */
  addConsumingSession(threePid: ThreePid, session: ValidationSession): Promise<void>;
  /** Removes the address from the user's account; false if it was not on it. */
  remove(userId: string, medium: Medium, address: string): Promise<boolean>;
}
export const ThreePidRepository = Symbol('ThreePidRepository');
