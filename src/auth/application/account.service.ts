import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { InvalidParamError } from '../../common/errors/matrix-error';
import { AUTH_MODULE_OPTIONS, type AuthModuleOptions } from '../auth.options';
import { PasswordHasher } from '../domain/ports/password-hasher';
import { UserRepository } from '../domain/ports/user.repository';
import { UserId } from '../domain/user-id';

const MAX_PASSWORD_LENGTH = 512;

@Injectable()
export class AccountService {
  private readonly serverName: string;

  constructor(
    @Inject(UserRepository) private readonly users: UserRepository,
    @Inject(PasswordHasher) private readonly passwords: PasswordHasher,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(AUTH_MODULE_OPTIONS) options: AuthModuleOptions,
  ) {
    this.serverName = options.serverName;
  }

  /** Creates a local account; throws InvalidUsernameError, InvalidParamError or UserIdTakenError. */
  async createUser(localpart: string, password: string): Promise<UserId> {
    const userId = UserId.create(localpart, this.serverName);
    if (password.length === 0 || password.length > MAX_PASSWORD_LENGTH) {
      throw new InvalidParamError(`Password must be 1 to ${MAX_PASSWORD_LENGTH} characters long`);
    }
    await this.users.create({
      userId: userId.toString(),
      passwordHash: await this.passwords.hash(password),
      createdAt: this.clock.now(),
    });
    return userId;
  }
}
