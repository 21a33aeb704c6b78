import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { MessageTemplate, TEMPLATE_VARIABLES, TemplateVariableError, type ValidationTemplates } from '../threepid/application/validation-messages';
import { IdServer } from '../threepid/domain/identity-server';
import { isMedium } from '../threepid/domain/medium';
import type { ThreePidPattern } from '../threepid/domain/three-pid-policy';
import { AppConfig, DatabaseLocation, LOG_LEVELS, LogLevel, RateLimit } from './app-config';

export type Environment = Record<string, string | undefined>;

/** Start-up stops with this error; its message names every variable that is wrong (never a secret value). */
export class InvalidConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'InvalidConfigError';
  }
}

const DEFAULTS = {
  PORT: '8008',
  BIND_ADDRESS: '127.0.0.1',
  DATABASE_URL: 'sqlite:data/matrix-3pid.sqlite',
  DATABASE_TIMEOUT: '5s',
  SERVER_NAME: 'localhost',
  SMTP_TIMEOUT: '10s',
  ID_SERVER_SCHEME: 'https',
  ID_SERVER_TIMEOUT: '10s',
  THREEPID_CHANGES_ENABLED: 'true',
  THREEPID_DEPRECATED_POST_ENABLED: 'false',
  THREEPID_INHIBIT_ERRORS: 'false',
  UIA_SESSION_LIFETIME: '15m',
  ACCESS_TOKEN_CACHE_TTL: '5s',
  RATE_LIMIT_FAILED_PASSWORDS: '5/600s',
  THREEPID_MEDIA: 'email,msisdn',
  VALIDATION_TOKEN_LIFETIME: '1h',
  VALIDATION_SESSION_LIFETIME: '24h',
  RATE_LIMIT_DEFAULT: '100/10s',
  RATE_LIMIT_REQUEST_TOKEN: '5/600s',
  REDIS_KEY_PREFIX: 'matrix-3pid:',
  REDIS_TIMEOUT: '500ms',
  SIGNING_KEY_PATH: 'data/signing.key',
  LOG_LEVEL: 'info',
  AUDIT_ADDRESSES: 'plain',
} as const;

/** A salt short enough to guess would let a reader of the log test guessed addresses against it. */
const MIN_AUDIT_SALT_LENGTH = 16;

const MAX_REQUEST_BODY_BYTES = 64 * 1024;
/** A longer wait is no bound for a request, and node's timers hold 24 days at most. */
const MAX_TIMEOUT_MS = 3_600_000;

/** Server names as the Matrix appendix defines them: a DNS name, IPv4 literal or [IPv6] literal, optional port. */
const SERVER_NAME = /^(?:\[[0-9A-Fa-f:.]{2,45}\]|[A-Za-z0-9.-]{1,255})(?::\d{1,5})?$/;
const RATE_LIMIT = /^(\d+)\/(\d+)s$/;
const DURATION = /^(\d+)(ms|s|m|h|d)$/;
const DURATION_UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** A host name, or `*.` and a domain for all of its subdomains. */
const HOST_PATTERN = /^(?:\*\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*$/i;
/** `addr@host` or `Display Name <addr@host>`. */
const EMAIL_FROM = /^(?:[^@\s<>]+@[^@\s<>]+|[^<>]*<[^@\s<>]+@[^@\s<>]+>)$/;

/**
 * Reads and validates every setting at once, so that one start-up reports all mistakes.
 * The only place that reads the environment; the rest of the code receives an AppConfig.
 */
export function loadConfig(env: Environment): AppConfig {
  const problems: string[] = [];
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    if (value) return value;
    return (DEFAULTS as Record<string, string>)[name];
  };
  const fail = <T>(problem: string, fallback: T): T => {
    problems.push(problem);
    return fallback;
  };

  const integer = (name: string, min: number, max: number): number => {
    const raw = read(name) ?? '';
    const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (Number.isInteger(value) && value >= min && value <= max) return value;
    return fail(`${name} must be an integer from ${min} to ${max} (got "${raw}")`, min);
  };

  const boolean = (name: string): boolean => {
    const raw = (read(name) ?? '').toLowerCase();
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    return fail(`${name} must be true or false (got "${raw}")`, false);
  };

  const oneOf = <T extends string>(name: string, allowed: readonly T[]): T => {
    const raw = read(name) ?? '';
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    return fail(`${name} must be one of ${allowed.join(', ')} (got "${raw}")`, allowed[0]);
  };

  /** URLs may carry credentials, so their value is never echoed back. */
  const url = (name: string, protocols: string[]): string | undefined => {
    const raw = read(name);
    if (raw === undefined) return undefined;
    const parsed = URL.canParse(raw) ? new URL(raw) : undefined;
    if (parsed && protocols.includes(parsed.protocol)) return raw;
    return fail(`${name} must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`, undefined);
  };

  const serverName = (name: string, raw: string): string =>
    SERVER_NAME.test(raw) && isValidPort(raw)
      ? raw
      : fail(`${name} must be a server name: a host name or IP literal with an optional :port (got "${raw}")`, raw);

  const rateLimit = (name: string): RateLimit => {
    const raw = read(name) ?? '';
    const match = RATE_LIMIT.exec(raw);
    if (match && Number(match[1]) > 0 && Number(match[2]) > 0) {
      return { limit: Number(match[1]), windowMs: Number(match[2]) * 1000 };
    }
    return fail(`${name} must look like N/Ws, e.g. 10/60s: N requests per W seconds (got "${raw}")`, {
      limit: 1,
      windowMs: 1000,
    });
  };

  /** `500ms`, `30s`, `15m`, `1h`, `7d`. */
  const duration = (name: string, { zero = false } = {}): number => {
    const raw = read(name) ?? '';
    const match = DURATION.exec(raw);
    if (match && (Number(match[1]) > 0 || zero)) return Number(match[1]) * DURATION_UNIT_MS[match[2] as keyof typeof DURATION_UNIT_MS];
    return fail(`${name} must be a duration such as 500ms, 30s, 15m, 1h or 7d${zero ? ', or 0s' : ''} (got "${raw}")`, NaN);
  };

  /** A bound on a wait for another server: a duration of at most an hour. */
  const timeout = (name: string): number => {
    const ms = duration(name);
    return ms > MAX_TIMEOUT_MS ? fail(`${name} must be at most 1h (got "${read(name)}")`, ms) : ms;
  };

  const list = (name: string): string[] | undefined =>
    read(name)
      ?.split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry.length > 0);

  const port = integer('PORT', 0, 65535);
  const metricsPort = read('METRICS_PORT') === undefined ? undefined : integer('METRICS_PORT', 0, 65535);
  // 0 picks a free port for each; any other port is one listener's.
  if (metricsPort !== undefined && metricsPort !== 0 && metricsPort === port) {
    fail(`METRICS_PORT must not be PORT (${port}): metrics are never served on the client port`, undefined);
  }
  const trustedProxies = list('TRUSTED_PROXIES') ?? [];
  for (const entry of trustedProxies) {
    if (!isAddressOrCidr(entry)) fail(`TRUSTED_PROXIES entries must be IP addresses or CIDRs such as 10.0.0.0/8 (got "${entry}")`, undefined);
  }
  const bindAddress = read('BIND_ADDRESS')!;
  // Four dotted numbers are an IPv4 address or nothing, never a host name to look up.
  if (!isIP(bindAddress) && (!SERVER_NAME.test(bindAddress) || /^[\d.]+$/.test(bindAddress))) {
    fail(`BIND_ADDRESS must be an IP address or host name (got "${bindAddress}")`, undefined);
  }
  const matrixServerName = serverName('SERVER_NAME', read('SERVER_NAME')!);
  const publicBaseUrl = (url('PUBLIC_BASEURL', ['http:', 'https:']) ?? `http://localhost:${port}`).replace(/\/+$/, '');
  const database =
    parseDatabaseUrl(read('DATABASE_URL')!) ??
    fail('DATABASE_URL must be sqlite:<path>, mysql://user:pass@host:port/database or mariadb://user:pass@host:port/database', undefined);

  const emailFrom = read('EMAIL_FROM') ?? `Matrix <noreply@${hostOf(matrixServerName)}>`;
  if (read('EMAIL_FROM') !== undefined && !EMAIL_FROM.test(emailFrom)) {
    fail(`EMAIL_FROM must be an e-mail address, optionally with a display name: "Name <addr@host>" (got "${emailFrom}")`, undefined);
  }

  const idServerAllowlist = list('ID_SERVER_ALLOWLIST') ?? [];
  for (const entry of idServerAllowlist) {
    try {
      IdServer.parse(entry);
    } catch {
      fail(`ID_SERVER_ALLOWLIST entries must be host or host:port (got "${entry}")`, undefined);
    }
  }

  const mediaSetting = read('THREEPID_MEDIA')!;
  const media = mediaSetting === 'none' ? [] : [...new Set(list('THREEPID_MEDIA'))];
  if (!media.every(isMedium)) fail(`THREEPID_MEDIA must be email, msisdn, both (comma-separated) or none (got "${mediaSetting}")`, undefined);

  const allowlist: ThreePidPattern[] = [];
  for (const entry of list('THREEPID_ALLOWLIST') ?? []) {
    const [medium, glob] = [entry.slice(0, entry.indexOf(':')), entry.slice(entry.indexOf(':') + 1)];
    if (entry.includes(':') && isMedium(medium) && glob) allowlist.push({ medium, glob });
    else fail(`THREEPID_ALLOWLIST entries must look like email:*@example.org or msisdn:44* (got "${entry}")`, undefined);
  }

  const nextLinkHosts = list('NEXT_LINK_ALLOWED_HOSTS')?.map((host) => host.toLowerCase());
  for (const host of nextLinkHosts ?? []) {
    if (!HOST_PATTERN.test(host)) fail(`NEXT_LINK_ALLOWED_HOSTS entries must be host names or *.domain (got "${host}")`, undefined);
  }

  const templateDir = read('TEMPLATE_DIR');
  const templates = templateDir === undefined ? undefined : readTemplates(templateDir, (problem) => fail(`TEMPLATE_DIR: ${problem}`, undefined));

  const tokenLifetimeMs = duration('VALIDATION_TOKEN_LIFETIME');
  const sessionLifetimeMs = duration('VALIDATION_SESSION_LIFETIME');
  if (tokenLifetimeMs > sessionLifetimeMs) fail('VALIDATION_TOKEN_LIFETIME must not be longer than VALIDATION_SESSION_LIFETIME', undefined);

  const auditAddresses = oneOf('AUDIT_ADDRESSES', ['plain', 'hash'] as const);
  const auditSalt = read('AUDIT_SALT');
  if (auditAddresses === 'hash' && (auditSalt?.length ?? 0) < MIN_AUDIT_SALT_LENGTH) {
    // A secret: its value is never echoed.
    fail(`AUDIT_SALT must be set, at least ${MIN_AUDIT_SALT_LENGTH} characters, when AUDIT_ADDRESSES=hash`, undefined);
  }

  const config: AppConfig = {
    http: { port, bindAddress, publicBaseUrl, maxRequestBodyBytes: MAX_REQUEST_BODY_BYTES, trustedProxies },
    // `database` is only undefined when a problem was recorded above.
    database: { ...(database as DatabaseLocation), timeoutMs: timeout('DATABASE_TIMEOUT') },
    matrix: { serverName: matrixServerName },
    uia: { sessionLifetimeMs: duration('UIA_SESSION_LIFETIME') },
    accessTokens: {
      lifetimeMs: read('ACCESS_TOKEN_LIFETIME') === undefined ? undefined : duration('ACCESS_TOKEN_LIFETIME'),
      cacheTtlMs: duration('ACCESS_TOKEN_CACHE_TTL', { zero: true }),
    },
    threePid: {
      changesEnabled: boolean('THREEPID_CHANGES_ENABLED'),
      deprecatedAddEnabled: boolean('THREEPID_DEPRECATED_POST_ENABLED'),
      inhibitErrors: boolean('THREEPID_INHIBIT_ERRORS'),
      media: media.filter(isMedium),
      allowlist,
      nextLinkHosts,
      tokenLifetimeMs,
      sessionLifetimeMs,
      templates,
    },
    email: { smtpUrl: url('SMTP_URL', ['smtp:', 'smtps:']), from: emailFrom, timeoutMs: timeout('SMTP_TIMEOUT') },
    sms: { webhookUrl: url('SMS_WEBHOOK_URL', ['http:', 'https:']) },
    identityServer: {
      allowlist: idServerAllowlist,
      scheme: oneOf('ID_SERVER_SCHEME', ['https', 'http'] as const),
      timeoutMs: duration('ID_SERVER_TIMEOUT'),
    },
    rateLimit: {
      default: rateLimit('RATE_LIMIT_DEFAULT'),
      requestToken: rateLimit('RATE_LIMIT_REQUEST_TOKEN'),
      failedPasswords: rateLimit('RATE_LIMIT_FAILED_PASSWORDS'),
    },
    redis: { url: url('REDIS_URL', ['redis:', 'rediss:']), keyPrefix: read('REDIS_KEY_PREFIX')!, timeoutMs: duration('REDIS_TIMEOUT') },
    signing: { keyPath: read('SIGNING_KEY_PATH')! },
    metrics: { port: metricsPort },
    log: { level: oneOf<LogLevel>('LOG_LEVEL', LOG_LEVELS) },
    audit: {
      instance: read('INSTANCE_NAME') ?? hostname(),
      addresses: auditAddresses === 'hash' ? { mode: 'hash', salt: auditSalt ?? '' } : { mode: 'plain' },
    },
  };
  if (problems.length > 0) throw new InvalidConfigError(problems);
  return config;
}

/** The files of TEMPLATE_DIR, one per template. */
const TEMPLATE_FILES: Readonly<Record<keyof ValidationTemplates, string>> = {
  emailSubject: 'email-subject.txt',
  emailText: 'email.txt',
  emailHtml: 'email.html',
  smsText: 'sms.txt',
};
const ONE_LINE_TEMPLATES: readonly (keyof ValidationTemplates)[] = ['emailSubject', 'smsText'];

/**
 * Every template from its file, checked as the module will use it: readable, not empty, one line
 * where it must be (surrounding white space and the final newline dropped), and no variable the
 * template does not have.
 */
function readTemplates(dir: string, fail: (problem: string) => void): ValidationTemplates {
  const templates = {} as ValidationTemplates;
  for (const [name, file] of Object.entries(TEMPLATE_FILES) as [keyof ValidationTemplates, string][]) {
    let source: string;
    try {
      source = readFileSync(join(dir, file), 'utf8');
    } catch (error) {
      fail(`cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
      continue;
    }
    if (ONE_LINE_TEMPLATES.includes(name)) {
      source = source.trim();
      if (/[\r\n]/.test(source)) fail(`${file} must be one line`);
    }
    if (!source.trim()) fail(`${file} is empty`);
    try {
      MessageTemplate.parse(name, source);
    } catch (error) {
      if (!(error instanceof TemplateVariableError)) throw error;
      fail(`${file} uses {{${error.variable}}}, which is not one of its variables (${TEMPLATE_VARIABLES[name].join(', ')})`);
    }
    templates[name] = source;
  }
  return templates;
}

/**
 * `sqlite:<path>` (or `sqlite::memory:`), `mysql://user:pass@host:port/db` for MySQL,
 * `mariadb://...` for MariaDB (the same wire protocol; TypeORM reads MariaDB's schema differently).
 */
function parseDatabaseUrl(raw: string): DatabaseLocation | undefined {
  if (raw.startsWith('sqlite:')) {
    const path = raw.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    return path ? { kind: 'sqlite', path } : undefined;
  }
  const parsed = URL.canParse(raw) ? new URL(raw) : undefined;
  if (!parsed || !['mysql:', 'mariadb:'].includes(parsed.protocol) || !parsed.hostname) return undefined;
  try {
    const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
    if (!database) return undefined;
    return {
      kind: parsed.protocol === 'mariadb:' ? 'mariadb' : 'mysql',
      host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: parsed.port ? Number(parsed.port) : 3306,
      username: decodeURIComponent(parsed.username),
      password: decodeURIComponent(parsed.password),
      database,
    };
  } catch {
    return undefined; // a malformed percent-escape
  }
}

/** `10.1.2.3`, `10.0.0.0/8`, `2001:db8::/32`. */
function isAddressOrCidr(entry: string): boolean {
  const [address, prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

function isValidPort(serverName: string): boolean {
  const port = /:(\d+)$/.exec(serverName.replace(/^\[.*\]/, ''))?.[1];
  return port === undefined || Number(port) <= 65535;
}

function hostOf(serverName: string): string {
  return serverName.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
}
