import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { RateLimit } from '../common/rate-limiter';
import type { ThreePidMetrics } from './application/ports/three-pid-metrics';
import type { ValidationTemplates } from './application/validation-messages';
import { Medium } from './domain/medium';
import type { EmailSender } from './domain/ports/email-sender';
import type { IdentityServerGateway } from './domain/ports/identity-server.gateway';
import type { SmsSender } from './domain/ports/sms-sender';
import type { ThreePidBindingRepository } from './domain/ports/three-pid-binding.repository';
import type { ThreePidEventPublisher } from './domain/ports/three-pid-event-publisher';
import type { ThreePidPolicy } from './domain/ports/three-pid-policy';
import type { ThreePidRepository } from './domain/ports/three-pid.repository';
import type { ValidationSessionRepository } from './domain/ports/validation-session.repository';
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
  /**
   * Whether requestToken answers an address already on an account as it answers a free one (a
   * `sid`, and nothing sent) instead of 400 M_THREEPID_IN_USE, as Synapse's
   * `request_token_inhibit_3pid_errors` does, so that it tells nobody which addresses are
   * registered. Default false.
   */
  inhibitInUseErrors?: boolean;
  /** The homeserver's name, shown in validation messages. */
  serverName: string;
  /** Base URL at which browsers reach this server (e-mail links, `submit_url`), without a trailing slash. */
  publicBaseUrl: string;
  /** The media whose validation messages are delivered; addresses of other media cannot be added. */
  media: Medium[];
  /** If not empty, only addresses matching one of these may be added (the default ThreePidPolicy). */
  allowlist: ThreePidPattern[];
  /**
   * requestToken calls per client IP and per address, counted by the RateLimiter the host provides
   * (the standalone server's RateLimitModule); without either, not limited here.
   */
  requestTokenLimit?: RateLimit;
  /** The host's own rules on who may add and remove which address, instead of `allowlist`. */
  policy?: ThreePidPolicy;
  /** Hosts a `next_link` may point at; undefined allows any http(s) URL. */
  nextLinkHosts?: string[];
  lifetimes: ValidationLifetimes;
  /**
   * Settings of the default EmailSender: SMTP when `smtpUrl` is set, otherwise the log. `timeoutMs`
   * (default 10 s) is how long the SMTP server may keep it waiting at any step (connecting,
   * greeting, answering a command) before the e-mail counts as not sent.
   */
  email: { smtpUrl?: string; from: string; timeoutMs?: number };
  /** Settings of the default SmsSender: a webhook when `webhookUrl` is set, otherwise the log. */
  sms: { webhookUrl?: string };
  /** The host's own mailer, instead of the default EmailSender. */
  emailSender?: EmailSender;
  /** The host's own SMS gateway, instead of the default SmsSender. */
  smsSender?: SmsSender;
  /**
   * The host's own texts for the validation e-mail and SMS, instead of the defaults (any of them;
   * see ValidationTemplates). A template naming a variable it does not have stops start-up.
   */
  templates?: Partial<ValidationTemplates>;
  /** Which identity servers users may bind at and unbind from, and how they are reached. */
  identityServers?: IdentityServerOptions;
  /**
   * The host's own identity-server client, instead of the default HTTP one (which signs unbinds
   * with the injected ServerSigner). The allow-list still applies before it is called.
   */
  identityServerGateway?: IdentityServerGateway;
  /** Where the module's events go, instead of Nest's EventEmitter2 (when the host imports EventEmitterModule). */
  eventPublisher?: ThreePidEventPublisher;
  /**
   * Where validation messages, sessions, added and removed addresses and identity-server calls are
   * counted (the standalone server's Prometheus metrics). Default: nowhere.
   */
  metrics?: ThreePidMetrics;
  /**
   * The host's own storage, instead of the TypeORM repositories (which need a DataSource either
   * way). A ThreePidRepository must add a 3PID and save the session it uses up in one transaction.
   */
  threePidRepository?: ThreePidRepository;
  validationSessionRepository?: ValidationSessionRepository;
  threePidBindingRepository?: ThreePidBindingRepository;
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
