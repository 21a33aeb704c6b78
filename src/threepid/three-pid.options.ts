import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { RateLimit } from '../common/rate-limiter';
import { Medium } from './domain/medium';
import type { EmailSender } from './domain/ports/email-sender';
import type { IdentityServerGateway } from './domain/ports/identity-server.gateway';
import type { SmsSender } from './domain/ports/sms-sender';
import type { ThreePidPattern } from './domain/three-pid-policy';
import type { ValidationLifetimes } from './domain/validation-session';

/** What a host application decides about the 3PID feature. */
export interface ThreePidModuleOptions {
  /** Whether users may add, change or remove 3PIDs (the `m.3pid_changes` capability). */
  changesEnabled: boolean;
  /**
   * Whether the deprecated POST /account/3pid is served (default false: 404 M_UNRECOGNIZED). It
   * adds a validated address without User-Interactive Authentication, as Synapse does, so that a
   * stolen access token alone could add an address; only for deployments whose old clients need it.
   */
  deprecatedAddEnabled?: boolean;
  /** The homeserver's name, shown in validation messages. */
  serverName: string;
  /** Base URL at which browsers reach this server (e-mail links, `submit_url`), without a trailing slash. */
  publicBaseUrl: string;
  /** The media whose validation messages are delivered; addresses of other media cannot be added. */
  media: Medium[];
  /** If not empty, only addresses matching one of these may be added. */
  allowlist: ThreePidPattern[];
  /**
   * requestToken calls per client IP and per address, counted by the RateLimiter the host provides
   * (the standalone server's RateLimitModule); without either, not limited here.
   */
  requestTokenLimit?: RateLimit;
  /** Hosts a `next_link` may point at; undefined allows any http(s) URL. */
  nextLinkHosts?: string[];
  lifetimes: ValidationLifetimes;
  /** Settings of the default EmailSender: SMTP when `smtpUrl` is set, otherwise the log. */
  email: { smtpUrl?: string; from: string };
  /** Settings of the default SmsSender: a webhook when `webhookUrl` is set, otherwise the log. */
  sms: { webhookUrl?: string };
  /** The host's own mailer, instead of the default EmailSender. */
  emailSender?: EmailSender;
  /** The host's own SMS gateway, instead of the default SmsSender. */
  smsSender?: SmsSender;
  /** Which identity servers users may bind at and unbind from, and how they are reached. */
  identityServers?: IdentityServerOptions;
  /**
   * The host's own identity-server client, instead of the default HTTP one (which signs unbinds
   * with the injected ServerSigner). The allow-list still applies before it is called.
   */
  identityServerGateway?: IdentityServerGateway;
}

export interface IdentityServerOptions {
  /** `host` or `host:port` entries; when not empty, the only servers contacted. Default: any public one. */
  allowlist?: string[];
  /** Default `https`. */
  scheme?: 'https' | 'http';
  /** How long a call to an identity server may take, all in. Default 10 s. */
  timeoutMs?: number;
}

export const IDENTITY_SERVER_DEFAULTS = { scheme: 'https', timeoutMs: 10_000 } as const;

export const {
  ConfigurableModuleClass: ConfigurableThreePidModule,
  MODULE_OPTIONS_TOKEN: THREE_PID_MODULE_OPTIONS,
} = new ConfigurableModuleBuilder<ThreePidModuleOptions>().setClassMethodName('forRoot').build();
