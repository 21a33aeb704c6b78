import { Medium } from '../medium';
import { ThreePid } from '../three-pid';

export interface ThreePidRepository {
  /** The user's 3PIDs, oldest first. */
  findByUser(userId: string): Promise<ThreePid[]>;
  /** Whether the address is on any account. */
  isInUse(medium: Medium, address: string): Promise<boolean>;
  /** Throws ThreePidInUseError when the address is already on any account. */
  add(threePid: ThreePid): Promise<void>;
}
export const ThreePidRepository = Symbol('ThreePidRepository');
