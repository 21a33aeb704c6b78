import { User } from '../user';

export interface UserRepository {
  findById(userId: string): Promise<User | undefined>;
  /** Throws UserIdTakenError when the ID exists. */
  create(user: User): Promise<void>;
}
export const UserRepository = Symbol('UserRepository');
