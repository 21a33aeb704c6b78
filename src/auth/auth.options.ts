import { ConfigurableModuleBuilder } from '@nestjs/common';

/** What the accounts feature needs to know about its homeserver. */
export interface AuthModuleOptions {
  /** The homeserver's name: the part after `:` in its user IDs. */
  serverName: string;
}

export const {
  ConfigurableModuleClass: ConfigurableAuthModule,
  MODULE_OPTIONS_TOKEN: AUTH_MODULE_OPTIONS,
} = new ConfigurableModuleBuilder<AuthModuleOptions>()
  .setClassMethodName('forRoot')
  // Global by default, so that any feature module can put @Authenticated() on its handlers.
  .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();
