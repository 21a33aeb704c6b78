import { ConfigurableModuleBuilder } from '@nestjs/common';

/** Where this homeserver's signing key lives, and how long others may trust its key document. */
export interface SigningModuleOptions {
  /** The homeserver's name: the `origin` of what it signs, and `server_name` in its key document. */
  serverName: string;
  /**
   * The signing key file (Synapse's format, `ed25519 <version> <base64 seed>`), created with mode
   * 0600 on first start; every instance of one server should use the same file. Start-up fails,
   * naming SIGNING_KEY_PATH, if it cannot be read or created.
   */
  keyPath: string;
  /** How long the published key document stays valid (`valid_until_ts`). Default: SIGNING_DEFAULTS. */
  keyValidityMs?: number;
}

export const SIGNING_DEFAULTS = {
  /** One day, as Synapse's `key_refresh_interval`. */
  keyValidityMs: 86_400_000,
} as const satisfies Pick<Required<SigningModuleOptions>, 'keyValidityMs'>;

export const {
  ConfigurableModuleClass: ConfigurableSigningModule,
  MODULE_OPTIONS_TOKEN: SIGNING_MODULE_OPTIONS,
} = new ConfigurableModuleBuilder<SigningModuleOptions>()
  .setClassMethodName('forRoot')
  // Global by default, so that any feature module (the identity-server client, say) can inject ServerSigner.
  .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();
