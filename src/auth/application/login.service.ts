import { randomBytes } from 'node:crypto';
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { MissingParamError } from '../../common/errors/matrix-error';
import { AUTH_MODULE_OPTIONS, type AuthModuleOptions } from '../auth.options';
import { generateAccessToken, generateDeviceId, hashAccessToken } from '../domain/access-token';
import { LoginFailedError, UnsupportedLoginError } from '../domain/auth.errors';
import { AccessTokenRepository } from '../domain/ports/access-token.repository';
import { PasswordHasher } from '../domain/ports/password-hasher';
import { UserRepository } from '../domain/ports/user.repository';
import { UserId } from '../domain/user-id';

export const PASSWORD_LOGIN = 'm.login.password';

/** A login request in domain terms; the legacy top-level fields are still accepted. */
export interface LoginRequest {
  type: string;
  identifier?: { type: string; user?: string; medium?: string; address?: string };
  user?: string;
  password?: string;
  deviceId?: string;
}

export interface LoginResult {
  userId: string;
  accessToken: string;
  deviceId: string;
}

@Injectable()
export class LoginService implements OnModuleInit {
  private readonly serverName: string;
  /** Verified against when the user does not exist, so that both failures take as long. */
  private decoyHash = '';

  constructor(
    @Inject(UserRepository) private readonly users: UserRepository,
    @Inject(AccessTokenRepository) private readonly tokens: AccessTokenRepository,
    @Inject(PasswordHasher) private readonly passwords: PasswordHasher,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(AUTH_MODULE_OPTIONS) options: AuthModuleOptions,
  ) {
    this.serverName = options.serverName;
  }

  async onModuleInit(): Promise<void> {
    this.decoyHash = await this.passwords.hash(randomBytes(32).toString('hex'));
  }

  flows(): { type: string }[] {
    return [{ type: PASSWORD_LOGIN }];
  }

  async login(request: LoginRequest): Promise<LoginResult> {
    if (request.type !== PASSWORD_LOGIN) throw new UnsupportedLoginError(`Unknown login type ${request.type}`);
    const userInput = this.userInput(request);
    if (request.password === undefined) throw new MissingParamError('Missing parameter: password');

    const userId = UserId.fromLoginInput(userInput, this.serverName)?.toString();
    const user = userId ? await this.users.findById(userId) : undefined;
    const passwordMatches = await this.passwords.verify(user?.passwordHash ?? this.decoyHash, request.password);
    if (!user || !passwordMatches) throw new LoginFailedError();

    const accessToken = generateAccessToken();
    const deviceId = request.deviceId ?? generateDeviceId();
    await this.tokens.saveForDevice({
      tokenHash: hashAccessToken(accessToken),
      userId: user.userId,
      deviceId,
      createdAt: this.clock.now(),
    });
    return { userId: user.userId, accessToken, deviceId };
  }

  /** The `m.id.user` identifier, or the deprecated top-level `user` field. */
  private userInput(request: LoginRequest): string {
    const identifier = request.identifier ?? (request.user !== undefined ? { type: 'm.id.user', user: request.user } : undefined);
    if (!identifier) throw new MissingParamError('Missing parameter: identifier');
    if (identifier.type !== 'm.id.user') throw new UnsupportedLoginError(`Unknown login identifier type ${identifier.type}`);
    if (identifier.user === undefined) throw new MissingParamError('Missing parameter: identifier.user');
    return identifier.user;
  }
}
