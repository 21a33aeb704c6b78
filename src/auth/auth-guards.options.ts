import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { AccessTokenResolver } from './application/ports/access-token-resolver';
import type { PasswordVerifier } from './application/ports/password-verifier';
import type { ServerAdminVerifier } from './application/ports/server-admin-verifier';
import type { UiaOptions } from './auth.options';
import type { UiaSessionRepository } from './domain/ports/uia-session.repository';

/** A host homeserver's own accounts, behind @Authenticated(), @Requester() and @RequiresUia(). */
export interface AuthGuardsModuleOptions extends UiaOptions {
  /** Whose access token a request presents. */
  accessTokenResolver: AccessTokenResolver;
  /** Checks the password of User-Interactive Authentication's `m.login.password` stage. */
  passwordVerifier: PasswordVerifier;
  /** Who may use the administration API (`@RequiresServerAdmin()`). Default: nobody. */
  serverAdminVerifier?: ServerAdminVerifier;
  /** Where UIA sessions are kept. Default: the `uia_sessions` table (TypeORM; in MIGRATIONS). */
  uiaSessionRepository?: UiaSessionRepository;
}

export const {
  ConfigurableModuleClass: ConfigurableAuthGuardsModule,
  MODULE_OPTIONS_TOKEN: AUTH_GUARDS_MODULE_OPTIONS,
} = new ConfigurableModuleBuilder<AuthGuardsModuleOptions>()
  .setClassMethodName('forRoot')
  // Global by default, as AuthModule, so that any module's handlers can use the decorators.
  .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();
