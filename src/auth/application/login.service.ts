import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { AUTH_MODULE_OPTIONS, type AuthModuleOptions } from '../auth.options';
import { generateAccessToken, generateDeviceId, hashAccessToken } from '../domain/access-token';
import { UnsupportedLoginError } from '../domain/auth.errors';
import { AccessTokenRepository } from '../domain/ports/access-token.repository';
import { AccessTokenService } from './access-token.service';
import { PasswordAuthenticator, PasswordCredentials } from './password-authenticator';

export const PASSWORD_LOGIN = 'm.login.password';

/** A login request in domain terms; the legacy top-level fields are still accepted. */
export interface LoginRequest extends PasswordCredentials {
  type: string;
  deviceId?: string;
}

export interface LoginResult {
  userId: string;
  accessToken: string;
  deviceId: string;
  /** How long the token works; undefined: until logout. */
  expiresInMs?: number;
}

@Injectable()
export class LoginService {
  constructor(
    private readonly passwords: PasswordAuthenticator,
    @Inject(AccessTokenRepository) private readonly tokens: AccessTokenRepository,
    private readonly accessTokens: AccessTokenService,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(AUTH_MODULE_OPTIONS) private readonly options: AuthModuleOptions,
  ) {}

  flows(): { type: string }[] {
    return [{ type: PASSWORD_LOGIN }];
  }

  async login(request: LoginRequest): Promise<LoginResult> {
    if (request.type !== PASSWORD_LOGIN) throw new UnsupportedLoginError(`Unknown login type ${request.type}`);
    const userId = await this.passwords.authenticate(request);

    const accessToken = generateAccessToken();
    const deviceId = request.deviceId ?? generateDeviceId();
    const now = this.clock.now();
    const lifetimeMs = this.options.accessTokenLifetimeMs;
    await this.tokens.saveForDevice({
      tokenHash: hashAccessToken(accessToken),
      userId,
      deviceId,
      createdAt: now,
      expiresAt: lifetimeMs === undefined ? undefined : now + lifetimeMs,
    });
    this.accessTokens.forgetDevice(userId, deviceId); // the device's earlier token was just replaced
    return { userId, accessToken, deviceId, expiresInMs: lifetimeMs };
  }
}
