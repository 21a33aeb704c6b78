import { ConfigurableModuleBuilder } from '@nestjs/common';

/** User-Interactive Authentication settings. */
export interface UiaOptions {
  /** How long a UIA session lives from its start. */
  sessionLifetimeMs: number;
  /** Wrong passwords a user may give in UIA stages per window; more get 429 M_LIMIT_EXCEEDED. */
  failedAttempts: { limit: number; windowMs: number };
}

export const UIA_DEFAULTS: UiaOptions = {
  sessionLifetimeMs: 15 * 60_000,
  failedAttempts: { limit: 5, windowMs: 10 * 60_000 },
};

/** What the accounts feature needs to know about its homeserver. */
export interface AuthModuleOptions {
  /** The homeserver's name: the part after `:` in its user IDs. */
  serverName: string;
  /** Defaults: UIA_DEFAULTS. */
  uia?: Partial<UiaOptions>;
}

export const {
  ConfigurableModuleClass: ConfigurableAuthModule,
  MODULE_OPTIONS_TOKEN: AUTH_MODULE_OPTIONS,
} = new ConfigurableModuleBuilder<AuthModuleOptions>()
  .setClassMethodName('forRoot')
  // Global by default, so that any feature module can put @Authenticated() on its handlers.
  .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();
