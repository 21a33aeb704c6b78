import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CommonModule } from '../common/common.module';
import { AccessTokenGuard } from './api/access-token.guard';
import { LoginController } from './api/login.controller';
import { LogoutController } from './api/logout.controller';
import { ServerAdminGuard } from './api/requires-server-admin.decorator';
import { UiaGuard, UiaInterceptor } from './api/requires-uia.decorator';
import { AccessTokenService } from './application/access-token.service';
import { AccountService } from './application/account.service';
import { LoginService } from './application/login.service';
import { PasswordAuthenticator } from './application/password-authenticator';
import { AccessTokenResolver } from './application/ports/access-token-resolver';
import { AuthMetrics, NO_AUTH_METRICS } from './application/ports/auth-metrics';
import { PasswordVerifier } from './application/ports/password-verifier';
import { ServerAdminVerifier } from './application/ports/server-admin-verifier';
import { UiaService } from './application/uia.service';
import { UserIdentifiers } from './application/user-identifiers';
import { AUTH_MODULE_OPTIONS, type AuthModuleOptions, ConfigurableAuthModule, UIA_OPTIONS } from './auth.options';
import { AccessTokenRepository } from './domain/ports/access-token.repository';
import { FailedAttemptRepository } from './domain/ports/failed-attempt.repository';
import { PasswordHasher } from './domain/ports/password-hasher';
import { UiaSessionRepository } from './domain/ports/uia-session.repository';
import { UserRepository } from './domain/ports/user.repository';
import { AccessTokenOrmEntity } from './infrastructure/access-token.orm-entity';
import { Argon2PasswordHasher } from './infrastructure/argon2-password.hasher';
import { FailedAttemptOrmEntity } from './infrastructure/failed-attempt.orm-entity';
import { TypeOrmAccessTokenRepository } from './infrastructure/typeorm-access-token.repository';
import { TypeOrmFailedAttemptRepository } from './infrastructure/typeorm-failed-attempt.repository';
import { TypeOrmUiaSessionRepository } from './infrastructure/typeorm-uia-session.repository';
import { TypeOrmUserRepository } from './infrastructure/typeorm-user.repository';
import { UiaSessionOrmEntity } from './infrastructure/uia-session.orm-entity';
import { UserOrmEntity } from './infrastructure/user.orm-entity';

/**
 * Accounts, login, access tokens and User-Interactive Authentication:
 * `AuthModule.forRoot({ serverName })` or `forRootAsync(...)`. Global unless `isGlobal: false`, so
 * that any feature module can put `@Authenticated()` or `@RequiresUia()` on its handlers, and
 * register login identifier types with UserIdentifiers. Its access tokens and passwords are the
 * default AccessTokenResolver, PasswordVerifier and ServerAdminVerifier; a host homeserver with accounts of its own
 * imports AuthGuardsModule with its own instead of this module.
 */
@Module({
  imports: [
    CommonModule,
    TypeOrmModule.forFeature([UserOrmEntity, AccessTokenOrmEntity, UiaSessionOrmEntity, FailedAttemptOrmEntity]),
  ],
  controllers: [LoginController, LogoutController],
  providers: [
    LoginService,
    AccountService,
    AccessTokenService,
    PasswordAuthenticator,
    UserIdentifiers,
    UiaService,
    AccessTokenGuard,
    ServerAdminGuard,
    UiaGuard,
    UiaInterceptor,
    { provide: UserRepository, useClass: TypeOrmUserRepository },
    { provide: AccessTokenRepository, useClass: TypeOrmAccessTokenRepository },
    { provide: UiaSessionRepository, useClass: TypeOrmUiaSessionRepository },
    { provide: FailedAttemptRepository, useClass: TypeOrmFailedAttemptRepository },
    { provide: PasswordHasher, useClass: Argon2PasswordHasher },
    { provide: AccessTokenResolver, useExisting: AccessTokenService },
    { provide: PasswordVerifier, useExisting: PasswordAuthenticator },
    { provide: ServerAdminVerifier, useExisting: AccountService },
    { provide: UIA_OPTIONS, useExisting: AUTH_MODULE_OPTIONS },
    {
      provide: AuthMetrics,
      inject: [AUTH_MODULE_OPTIONS],
      useFactory: ({ metrics }: AuthModuleOptions): AuthMetrics => metrics ?? NO_AUTH_METRICS,
    },
  ],
  exports: [
    AccessTokenService,
    AccessTokenGuard,
    ServerAdminGuard,
    AccountService,
    UiaService,
    UiaGuard,
    UiaInterceptor,
    UserIdentifiers,
    AccessTokenResolver,
    PasswordVerifier,
    ServerAdminVerifier,
  ],
})
export class AuthModule extends ConfigurableAuthModule {}
