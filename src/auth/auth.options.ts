import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { AuthMetrics } from './application/ports/auth-metrics';

/** Wrong passwords an account may receive per window, at login and in UIA stages; more get 429. */
export interface FailedPasswordLimit {
  limit: number;
  windowMs: number;
}

/** What User-Interactive Authentication needs to know: from AuthModule's options, or AuthGuardsModule's. */
export interface UiaOptions {
  /** How long a User-Interactive Authentication session lives from its start. Default: AUTH_DEFAULTS. */
  uiaSessionLifetimeMs?: number;
  /**
   * Where UIA outcomes and the wrong-password limits' refusals are counted (the standalone server's
   * Prometheus metrics). Default: nowhere.
   */
  metrics?: AuthMetrics;
}
export const UIA_OPTIONS = Symbol('UIA_OPTIONS');

/** What the accounts feature needs to know about its homeserver. */
export interface AuthModuleOptions extends UiaOptions {
  /** The homeserver's name: the part after `:` in its user IDs. */
  serverName: string;
  /** Default: AUTH_DEFAULTS. */
  failedPasswordLimit?: FailedPasswordLimit;
  /**
   * How long an instance remembers whose an access token is (0: ask the database every time): the
   * longest a token revoked on another instance can still be accepted here. Default: AUTH_DEFAULTS.
   */
  accessTokenCacheTtlMs?: number;
  /**
   * How long an access token works after login; then it answers 401 M_UNKNOWN_TOKEN with
   * `soft_logout: true`. Fixed when the token is issued. Default: no expiry (until logout).
   */
  accessTokenLifetimeMs?: number;
}

export const AUTH_DEFAULTS = {
  uiaSessionLifetimeMs: 15 * 60_000,
  failedPasswordLimit: { limit: 5, windowMs: 10 * 60_000 },
  accessTokenCacheTtlMs: 5_000,
} as const satisfies Omit<Required<AuthModuleOptions>, 'serverName' | 'accessTokenLifetimeMs' | 'metrics'>;

export const {
  ConfigurableModuleClass: ConfigurableAuthModule,
  MODULE_OPTIONS_TOKEN: AUTH_MODULE_OPTIONS,
} = new ConfigurableModuleBuilder<AuthModuleOptions>()
  .setClassMethodName('forRoot')
  // Global by default, so that any feature module can put @Authenticated() on its handlers.
  .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();
