import type { AuditAddresses } from '../audit/domain/audit-record';
import type { RateLimit } from '../common/rate-limiter';
import type { ValidationTemplates } from '../threepid/application/validation-messages';
import type { Medium } from '../threepid/domain/medium';
import type { ThreePidPattern } from '../threepid/domain/three-pid-policy';

/** The service's whole configuration, typed and validated; built once from the environment by `loadConfig`. */
export interface AppConfig {
  http: HttpConfig;
  database: DatabaseConfig;
  matrix: MatrixConfig;
  uia: UiaConfig;
  accessTokens: AccessTokenConfig;
  threePid: ThreePidConfig;
  email: EmailConfig;
  sms: SmsConfig;
  identityServer: IdentityServerConfig;
  rateLimit: RateLimitConfig;
  redis: RedisConfig;
  signing: SigningConfig;
  metrics: MetricsConfig;
  log: LogConfig;
  audit: AuditConfig;
}

export interface HttpConfig {
  port: number;
  bindAddress: string;
  /** Base URL that clients and e-mail links use to reach this server, without a trailing slash. */
  publicBaseUrl: string;
  /** Request bodies above this size are refused with 413 M_TOO_LARGE. */
  maxRequestBodyBytes: number;
  /**
   * TRUSTED_PROXIES: IPs and CIDRs of reverse proxies whose X-Forwarded-For entries are believed;
   * the client IP is the first address they did not add. Empty: the socket's peer, header ignored.
   */
  trustedProxies: string[];
}

/** DATABASE_URL: which database, and where. */
export type DatabaseLocation =
  | { kind: 'sqlite'; path: string }
  | {
      kind: 'mysql' | 'mariadb';
      host: string;
      port: number;
      username: string;
      password: string;
      database: string;
    };

export type DatabaseConfig = DatabaseLocation & {
  /** DATABASE_TIMEOUT: how long one wait on the database may take (connecting, a free connection, a query; SQLite: its lock). */
  timeoutMs: number;
};

export interface MatrixConfig {
  serverName: string;
}

export interface UiaConfig {
  /** UIA_SESSION_LIFETIME: how long a User-Interactive Authentication session lives. */
  sessionLifetimeMs: number;
}

export interface AccessTokenConfig {
  /** ACCESS_TOKEN_LIFETIME: how long an access token works after login; undefined: until logout. */
  lifetimeMs?: number;
  /** ACCESS_TOKEN_CACHE_TTL: how long an instance remembers a token's owner; 0 asks the database every time. */
  cacheTtlMs: number;
}

export interface ThreePidConfig {
  /** THREEPID_CHANGES_ENABLED: whether users may add or remove 3PIDs (the `m.3pid_changes` capability). */
  changesEnabled: boolean;
  /** THREEPID_DEPRECATED_POST_ENABLED: whether the deprecated POST /account/3pid (which adds without UIA) is served. */
  deprecatedAddEnabled: boolean;
  /** THREEPID_INHIBIT_ERRORS: requestToken answers an address in use as a free one (a sid, nothing sent). */
  inhibitErrors: boolean;
  /** THREEPID_MEDIA: the media whose validation messages this server delivers; the others cannot be added. */
  media: Medium[];
  /** THREEPID_ALLOWLIST: if not empty, an address must match one of these to be added. */
  allowlist: ThreePidPattern[];
  /** NEXT_LINK_ALLOWED_HOSTS: hosts a `next_link` may point at; undefined allows any http(s) host. */
  nextLinkHosts?: string[];
  /** VALIDATION_TOKEN_LIFETIME: how long a token sent by e-mail or SMS can be submitted. */
  tokenLifetimeMs: number;
  /** VALIDATION_SESSION_LIFETIME: how long a validation session lives, its use to add an address included. */
  sessionLifetimeMs: number;
  /** TEMPLATE_DIR: the operator's texts of the validation messages; undefined for the defaults. */
  templates?: ValidationTemplates;
}

export interface EmailConfig {
  smtpUrl?: string;
  from: string;
  /** SMTP_TIMEOUT: how long the SMTP server may keep us waiting at any step before the e-mail counts as not sent. */
  timeoutMs: number;
}

export interface SmsConfig {
  webhookUrl?: string;
}

export interface IdentityServerConfig {
  /** ID_SERVER_ALLOWLIST: identity servers (host[:port]) users may bind at; empty: any at a public address. */
  allowlist: string[];
  /** ID_SERVER_SCHEME: https, or http for identity servers on a trusted network. */
  scheme: 'https' | 'http';
  /** ID_SERVER_TIMEOUT: how long one call to an identity server may take, all in. */
  timeoutMs: number;
}

/** N requests per window, from an `N/Ws` setting. */
export type { RateLimit };

export interface RateLimitConfig {
  /** RATE_LIMIT_DEFAULT: requests per user on authenticated endpoints, per client IP on the others. */
  default: RateLimit;
  /** RATE_LIMIT_REQUEST_TOKEN: requestToken calls per client IP, and per address. */
  requestToken: RateLimit;
  /** RATE_LIMIT_FAILED_PASSWORDS: wrong passwords per account, at login and in UIA. */
  failedPasswords: RateLimit;
}

export interface RedisConfig {
  /** REDIS_URL: shared counters for several instances; unset, each instance counts alone. */
  url?: string;
  /** REDIS_KEY_PREFIX: so that several deployments can share one Redis. */
  keyPrefix: string;
  /** REDIS_TIMEOUT: how long a Redis command may take before the instance counts on its own. */
  timeoutMs: number;
}

export interface SigningConfig {
  keyPath: string;
}

export interface MetricsConfig {
  /**
   * METRICS_PORT: where GET /metrics (Prometheus) is served, on BIND_ADDRESS, apart from the client
   * port; undefined: no metrics at all (no listener, nothing counted).
   */
  port?: number;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LogConfig {
  level: LogLevel;
}

/** The audit trail of 3PID changes (docs/operations.md). */
export interface AuditConfig {
  /** INSTANCE_NAME: which server process a record comes from; default the host name. */
  instance: string;
  /** AUDIT_ADDRESSES=plain (default) logs addresses; `hash` a salted hash (AUDIT_SALT) instead. */
  addresses: AuditAddresses;
}
