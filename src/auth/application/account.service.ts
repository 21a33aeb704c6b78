import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { InvalidParamError } from '../../common/errors/matrix-error';
import { AUTH_MODULE_OPTIONS, type AuthModuleOptions } from '../auth.options';
import { PasswordHasher } from '../domain/ports/password-hasher';
import type { User } from '../domain/user';
import { UserRepository } from '../domain/ports/user.repository';
import { UserId } from '../domain/user-id';
import type { ServerAdminVerifier } from './ports/server-admin-verifier';

/** What the administration API and commands show of an account: never its password hash. */
export type AccountSummary = Omit<User, 'passwordHash'>;

const MAX_PASSWORD_LENGTH = 512;

/** Local accounts: creating them, and what an administrator may know of them. */
@Injectable()
export class AccountService implements ServerAdminVerifier {
  readonly serverName: string;

  constructor(
    @Inject(UserRepository) private readonly users: UserRepository,
    @Inject(PasswordHasher) private readonly passwords: PasswordHasher,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(AUTH_MODULE_OPTIONS) options: AuthModuleOptions,
  ) {
    this.serverName = options.serverName;
  }

  /**
   * Creates a local account, a server administrator with `admin`; throws InvalidUsernameError,
   * InvalidParamError or UserIdTakenError.
   */
  async createUser(localpart: string, password: string, { admin = false } = {}): Promise<UserId> {
    const userId = UserId.create(localpart, this.serverName);
    if (password.length === 0 || password.length > MAX_PASSWORD_LENGTH) {
      throw new InvalidParamError(`Password must be 1 to ${MAX_PASSWORD_LENGTH} characters long`);
    }
    await this.users.create({
      userId: userId.toString(),
      passwordHash: await this.passwords.hash(password),
      createdAt: this.clock.now(),
      admin,
    });
    return userId;
  }

  /** The local account a full user ID or localpart names (any case, as at login), if there is one. */
  async find(userIdOrLocalpart: string): Promise<AccountSummary | undefined> {
    const userId = UserId.fromLoginInput(userIdOrLocalpart, this.serverName);
    const user = userId && (await this.users.findById(userId.toString()));
    return user ? { userId: user.userId, createdAt: user.createdAt, admin: user.admin } : undefined;
  }

  async isServerAdmin(userId: string): Promise<boolean> {
    return (await this.users.findById(userId))?.admin === true;
  }
}
