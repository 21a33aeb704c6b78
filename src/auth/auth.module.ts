import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CommonModule } from '../common/common.module';
import { AccessTokenGuard } from './api/access-token.guard';
import { ConfigurableAuthModule } from './auth.options';
import { LoginController } from './api/login.controller';
import { AccessTokenService } from './application/access-token.service';
import { AccountService } from './application/account.service';
import { LoginService } from './application/login.service';
import { AccessTokenRepository } from './domain/ports/access-token.repository';
import { PasswordHasher } from './domain/ports/password-hasher';
import { UserRepository } from './domain/ports/user.repository';
import { AccessTokenOrmEntity } from './infrastructure/access-token.orm-entity';
import { Argon2PasswordHasher } from './infrastructure/argon2-password.hasher';
import { TypeOrmAccessTokenRepository } from './infrastructure/typeorm-access-token.repository';
import { TypeOrmUserRepository } from './infrastructure/typeorm-user.repository';
import { UserOrmEntity } from './infrastructure/user.orm-entity';

/**
 * Accounts, login and access tokens: `AuthModule.forRoot({ serverName })` or `forRootAsync(...)`.
 * Global unless `isGlobal: false`, so that any feature module can put `@Authenticated()` on its handlers.
 */
@Module({
  imports: [CommonModule, TypeOrmModule.forFeature([UserOrmEntity, AccessTokenOrmEntity])],
  controllers: [LoginController],
  providers: [
    LoginService,
    AccountService,
    AccessTokenService,
    AccessTokenGuard,
    { provide: UserRepository, useClass: TypeOrmUserRepository },
    { provide: AccessTokenRepository, useClass: TypeOrmAccessTokenRepository },
    { provide: PasswordHasher, useClass: Argon2PasswordHasher },
  ],
  exports: [AccessTokenService, AccessTokenGuard, AccountService],
})
export class AuthModule extends ConfigurableAuthModule {}
