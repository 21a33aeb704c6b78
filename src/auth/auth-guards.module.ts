import { Module } from '@nestjs/common';
import { getRepositoryToken, TypeOrmModule } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { CommonModule } from '../common/common.module';
import { AccessTokenGuard } from './api/access-token.guard';
import { ServerAdminGuard } from './api/requires-server-admin.decorator';
import { UiaGuard, UiaInterceptor } from './api/requires-uia.decorator';
import { AccessTokenResolver } from './application/ports/access-token-resolver';
import { AuthMetrics, NO_AUTH_METRICS } from './application/ports/auth-metrics';
import { PasswordVerifier } from './application/ports/password-verifier';
import { NO_SERVER_ADMINS, ServerAdminVerifier } from './application/ports/server-admin-verifier';
import { UiaService } from './application/uia.service';
import { AUTH_GUARDS_MODULE_OPTIONS, type AuthGuardsModuleOptions, ConfigurableAuthGuardsModule } from './auth-guards.options';
import { UIA_OPTIONS } from './auth.options';
import { UiaSessionRepository } from './domain/ports/uia-session.repository';
import { TypeOrmUiaSessionRepository } from './infrastructure/typeorm-uia-session.repository';
import { UiaSessionOrmEntity } from './infrastructure/uia-session.orm-entity';

/**
 * `@Authenticated()`, `@Requester()` and `@RequiresUia()` on a host homeserver's own accounts, in
 * place of AuthModule (never both): `AuthGuardsModule.forRoot({ accessTokenResolver,
 * passwordVerifier })` or `forRootAsync(...)`. User-Interactive Authentication is this module's,
 * with its sessions in the `uia_sessions` table unless `uiaSessionRepository` says otherwise.
 * Global unless `isGlobal: false`, as AuthModule.
 */
@Module({
  imports: [CommonModule, TypeOrmModule.forFeature([UiaSessionOrmEntity])],
  providers: [
    UiaService,
    AccessTokenGuard,
    ServerAdminGuard,
    UiaGuard,
    UiaInterceptor,
    {
      provide: AccessTokenResolver,
      inject: [AUTH_GUARDS_MODULE_OPTIONS],
      useFactory: ({ accessTokenResolver }: AuthGuardsModuleOptions): AccessTokenResolver => accessTokenResolver,
    },
    {
      provide: PasswordVerifier,
      inject: [AUTH_GUARDS_MODULE_OPTIONS],
      useFactory: ({ passwordVerifier }: AuthGuardsModuleOptions): PasswordVerifier => passwordVerifier,
    },
    {
      provide: ServerAdminVerifier,
      inject: [AUTH_GUARDS_MODULE_OPTIONS],
      useFactory: ({ serverAdminVerifier }: AuthGuardsModuleOptions): ServerAdminVerifier => serverAdminVerifier ?? NO_SERVER_ADMINS,
    },
    {
      provide: UiaSessionRepository,
      inject: [AUTH_GUARDS_MODULE_OPTIONS, getRepositoryToken(UiaSessionOrmEntity)],
      useFactory: ({ uiaSessionRepository }: AuthGuardsModuleOptions, rows: Repository<UiaSessionOrmEntity>): UiaSessionRepository =>
        uiaSessionRepository ?? new TypeOrmUiaSessionRepository(rows),
    },
    { provide: UIA_OPTIONS, useExisting: AUTH_GUARDS_MODULE_OPTIONS },
    {
      provide: AuthMetrics,
      inject: [AUTH_GUARDS_MODULE_OPTIONS],
      useFactory: ({ metrics }: AuthGuardsModuleOptions): AuthMetrics => metrics ?? NO_AUTH_METRICS,
    },
  ],
  exports: [AccessTokenResolver, PasswordVerifier, ServerAdminVerifier, AccessTokenGuard, ServerAdminGuard, UiaService, UiaGuard, UiaInterceptor],
})
export class AuthGuardsModule extends ConfigurableAuthGuardsModule {}
