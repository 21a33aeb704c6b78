import { hostname } from 'node:os';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidConfigError, loadConfig } from '../../../src/config/load-config';

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof InvalidConfigError) return error.problems;
    throw error;
  }
  return [];
};

describe(loadConfig.name, () => {
  it('has a default for everything, so that a bare `npm start` works', () => {
    expect(loadConfig({})).toEqual({
      http: { port: 8008, bindAddress: '127.0.0.1', publicBaseUrl: 'http://localhost:8008', maxRequestBodyBytes: 65536, trustedProxies: [] },
      database: { kind: 'sqlite', path: 'data/matrix-3pid.sqlite', timeoutMs: 5000 },
      matrix: { serverName: 'localhost' },
      uia: { sessionLifetimeMs: 900_000 },
      accessTokens: { lifetimeMs: undefined, cacheTtlMs: 5_000 },
      threePid: {
        changesEnabled: true,
        deprecatedAddEnabled: false,
        inhibitErrors: false,
        media: ['email', 'msisdn'],
        allowlist: [],
        nextLinkHosts: undefined,
        tokenLifetimeMs: 3_600_000,
        sessionLifetimeMs: 86_400_000,
      },
      email: { smtpUrl: undefined, from: 'Matrix <noreply@localhost>', timeoutMs: 10_000 },
      sms: { webhookUrl: undefined },
      identityServer: { allowlist: [], scheme: 'https', timeoutMs: 10_000 },
      rateLimit: {
        default: { limit: 100, windowMs: 10_000 },
        requestToken: { limit: 5, windowMs: 600_000 },
        failedPasswords: { limit: 5, windowMs: 600_000 },
      },
      redis: { url: undefined, keyPrefix: 'matrix-3pid:', timeoutMs: 500 },
      signing: { keyPath: 'data/signing.key' },
      metrics: { port: undefined },
      log: { level: 'info' },
      audit: { instance: hostname(), addresses: { mode: 'plain' } },
    });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '9000',
      BIND_ADDRESS: '0.0.0.0',
      DATABASE_URL: 'mysql://matrix:p%40ss@db.internal:3307/threepids',
      DATABASE_TIMEOUT: '2s',
      SERVER_NAME: 'example.org:8448',
      PUBLIC_BASEURL: 'https://matrix.example.org/',
      SMTP_URL: 'smtps://mailer:pw@smtp.example.org:465',
      SMTP_TIMEOUT: '1m',
      EMAIL_FROM: 'Example <noreply@example.org>',
      SMS_WEBHOOK_URL: 'https://sms.example.org/send',
      ID_SERVER_ALLOWLIST: 'vector.im, id.example.org:8090',
      ID_SERVER_SCHEME: 'http',
      ID_SERVER_TIMEOUT: '30s',
      THREEPID_CHANGES_ENABLED: 'false',
      THREEPID_DEPRECATED_POST_ENABLED: 'true',
      THREEPID_INHIBIT_ERRORS: 'true',
      UIA_SESSION_LIFETIME: '5m',
      ACCESS_TOKEN_LIFETIME: '30d',
      ACCESS_TOKEN_CACHE_TTL: '0s',
      RATE_LIMIT_FAILED_PASSWORDS: '3/60s',
      THREEPID_MEDIA: 'msisdn',
      THREEPID_ALLOWLIST: 'email:*@example.org, msisdn:44*',
      NEXT_LINK_ALLOWED_HOSTS: 'app.example.org,*.Example.com',
      VALIDATION_TOKEN_LIFETIME: '15m',
      VALIDATION_SESSION_LIFETIME: '2d',
      RATE_LIMIT_DEFAULT: '20/1s',
      RATE_LIMIT_REQUEST_TOKEN: '3/3600s',
      REDIS_URL: 'redis://127.0.0.1:6379/2',
      REDIS_KEY_PREFIX: 'm3p-prod:',
      REDIS_TIMEOUT: '2s',
      TRUSTED_PROXIES: '10.0.0.0/8, 192.168.1.10, 2001:db8::/32',
      SIGNING_KEY_PATH: '/etc/matrix/signing.key',
      METRICS_PORT: '9102',
      LOG_LEVEL: 'debug',
      INSTANCE_NAME: 'hs-2',
      AUDIT_ADDRESSES: 'hash',
      AUDIT_SALT: 'a salt of the audit trail',
    });
    expect(config).toEqual({
      http: {
        port: 9000,
        bindAddress: '0.0.0.0',
        publicBaseUrl: 'https://matrix.example.org',
        maxRequestBodyBytes: 65536,
        trustedProxies: ['10.0.0.0/8', '192.168.1.10', '2001:db8::/32'],
      },
      database: { kind: 'mysql', host: 'db.internal', port: 3307, username: 'matrix', password: 'p@ss', database: 'threepids', timeoutMs: 2000 },
      matrix: { serverName: 'example.org:8448' },
      uia: { sessionLifetimeMs: 300_000 },
      accessTokens: { lifetimeMs: 30 * 86_400_000, cacheTtlMs: 0 },
      threePid: {
        changesEnabled: false,
        deprecatedAddEnabled: true,
        inhibitErrors: true,
        media: ['msisdn'],
        allowlist: [
          { medium: 'email', glob: '*@example.org' },
          { medium: 'msisdn', glob: '44*' },
        ],
        nextLinkHosts: ['app.example.org', '*.example.com'],
        tokenLifetimeMs: 900_000,
        sessionLifetimeMs: 172_800_000,
      },
      email: { smtpUrl: 'smtps://mailer:pw@smtp.example.org:465', from: 'Example <noreply@example.org>', timeoutMs: 60_000 },
      sms: { webhookUrl: 'https://sms.example.org/send' },
      identityServer: { allowlist: ['vector.im', 'id.example.org:8090'], scheme: 'http', timeoutMs: 30_000 },
      rateLimit: {
        default: { limit: 20, windowMs: 1000 },
        requestToken: { limit: 3, windowMs: 3_600_000 },
        failedPasswords: { limit: 3, windowMs: 60_000 },
      },
      redis: { url: 'redis://127.0.0.1:6379/2', keyPrefix: 'm3p-prod:', timeoutMs: 2000 },
      signing: { keyPath: '/etc/matrix/signing.key' },
      metrics: { port: 9102 },
      log: { level: 'debug' },
      audit: { instance: 'hs-2', addresses: { mode: 'hash', salt: 'a salt of the audit trail' } },
    });
  });

  it('derives PUBLIC_BASEURL from PORT when unset', () => {
    expect(loadConfig({ PORT: '8448' }).http.publicBaseUrl).toBe('http://localhost:8448');
  });

  it.each([
    ['sqlite::memory:', { kind: 'sqlite', path: ':memory:' }],
    ['sqlite:/var/lib/m3pid/db.sqlite', { kind: 'sqlite', path: '/var/lib/m3pid/db.sqlite' }],
    ['sqlite:///var/lib/m3pid/db.sqlite', { kind: 'sqlite', path: '/var/lib/m3pid/db.sqlite' }],
    ['mariadb://root@127.0.0.1/test', { kind: 'mariadb', host: '127.0.0.1', port: 3306, username: 'root', password: '', database: 'test' }],
  ])('reads DATABASE_URL %s', (url, database) => {
    expect(loadConfig({ DATABASE_URL: url }).database).toEqual({ ...database, timeoutMs: 5000 });
  });

  it.each([
    ['PORT', '80a'],
    ['PORT', '65536'],
    ['PORT', '-1'],
    ['BIND_ADDRESS', 'not an address'],
    ['BIND_ADDRESS', '999.1.1.1'],
    ['DATABASE_URL', 'postgres://u@h/db'],
    ['DATABASE_URL', 'mysql://u@h'],
    ['DATABASE_URL', 'sqlite:'],
    ['DATABASE_URL', 'mysql://u:p%zz@127.0.0.1/db'],
    ['DATABASE_TIMEOUT', '5000'],
    ['DATABASE_TIMEOUT', '0s'],
    ['DATABASE_TIMEOUT', '2h'],
    ['SERVER_NAME', 'bad name'],
    ['SERVER_NAME', 'example.org:99999'],
    ['PUBLIC_BASEURL', 'ftp://example.org'],
    ['SMTP_URL', 'http://smtp.example.org'],
    ['SMTP_TIMEOUT', '10 s'],
    ['SMTP_TIMEOUT', '7d'],
    ['EMAIL_FROM', 'no address'],
    ['SMS_WEBHOOK_URL', 'not a url'],
    ['ID_SERVER_ALLOWLIST', 'good.example, bad host'],
    ['ID_SERVER_ALLOWLIST', 'https://id.example.org'],
    ['ID_SERVER_TIMEOUT', '10'],
    ['ID_SERVER_SCHEME', 'ftp'],
    ['THREEPID_CHANGES_ENABLED', 'yes please'],
    ['RATE_LIMIT_DEFAULT', '10 per second'],
    ['RATE_LIMIT_REQUEST_TOKEN', '0/10s'],
    ['REDIS_URL', 'memcached://x'],
    ['REDIS_TIMEOUT', 'fast'],
    ['TRUSTED_PROXIES', '10.0.0.0/33'],
    ['TRUSTED_PROXIES', 'proxy.internal'],
    ['LOG_LEVEL', 'verbose'],
    ['THREEPID_MEDIA', 'email,fax'],
    ['THREEPID_ALLOWLIST', '*@example.org'],
    ['THREEPID_ALLOWLIST', 'fax:123*'],
    ['NEXT_LINK_ALLOWED_HOSTS', 'https://example.org/'],
    ['VALIDATION_TOKEN_LIFETIME', '1 hour'],
    ['VALIDATION_SESSION_LIFETIME', '0h'],
    ['VALIDATION_TOKEN_LIFETIME', '2d'],
    ['THREEPID_DEPRECATED_POST_ENABLED', 'maybe'],
    ['THREEPID_INHIBIT_ERRORS', 'quietly'],
    ['UIA_SESSION_LIFETIME', '15'],
    ['UIA_SESSION_LIFETIME', '0s'],
    ['ACCESS_TOKEN_LIFETIME', 'forever'],
    ['ACCESS_TOKEN_LIFETIME', '0s'],
    ['ACCESS_TOKEN_CACHE_TTL', '-1s'],
    ['RATE_LIMIT_FAILED_PASSWORDS', '5'],
    ['AUDIT_ADDRESSES', 'sha1'],
    ['METRICS_PORT', '9o9o'],
    ['METRICS_PORT', '65536'],
    ['METRICS_PORT', '8008'],
  ])('stops start-up when %s is %j, naming the variable', (name, value) => {
    const problems = problemsOf({ [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${name} `));
  });

  it('reports every bad variable at once', () => {
    expect(problemsOf({ PORT: 'x', LOG_LEVEL: 'y', REDIS_URL: 'z' })).toHaveLength(3);
  });

  it('never repeats the value of a URL setting, which may hold a password', () => {
    const message = problemsOf({ DATABASE_URL: 'postgres://u:hunter2@h/db', SMTP_URL: 'http://u:s3cret@h', REDIS_URL: 'http://:r3dis@h' }).join('\n');
    expect(message).not.toMatch(/hunter2|s3cret|r3dis/);
  });

  it('switches every medium off with THREEPID_MEDIA=none', () => {
    expect(loadConfig({ THREEPID_MEDIA: 'none' }).threePid.media).toEqual([]);
    expect(loadConfig({ THREEPID_MEDIA: 'email, email' }).threePid.media).toEqual(['email']);
  });

  it('lets METRICS_PORT and PORT both be 0, each listener then getting a free port of its own', () => {
    expect(loadConfig({ PORT: '0', METRICS_PORT: '0' }).metrics.port).toBe(0);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '', LOG_LEVEL: '  ' }).http.port).toBe(8008);
  });

  describe('TEMPLATE_DIR', () => {
    let dir: string;
    const write = (files: Record<string, string>) => {
      for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
    };
    const ALL = {
      'email-subject.txt': '[{{server_name}}] Confirm {{address}}\n',
      'email.txt': 'Open {{link}} within {{valid_for}}.\n',
      'email.html': '<a href="{{link}}">Confirm</a>\n',
      'sms.txt': '{{code}} is your code\n',
    };
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'm3pid-templates-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('reads the four templates, one-line ones without their final newline', () => {
      write(ALL);
      expect(loadConfig({ TEMPLATE_DIR: dir }).threePid.templates).toEqual({
        emailSubject: '[{{server_name}}] Confirm {{address}}',
        emailText: 'Open {{link}} within {{valid_for}}.\n',
        emailHtml: '<a href="{{link}}">Confirm</a>\n',
        smsText: '{{code}} is your code',
      });
    });

    it('keeps the default texts when unset', () => {
      expect(loadConfig({}).threePid.templates).toBeUndefined();
    });

    it.each([
      ['a missing file', { 'sms.txt': undefined }, /^TEMPLATE_DIR: cannot read sms\.txt \(ENOENT\)$/],
      ['an unknown variable', { 'email.html': '<a href="{{url}}">x</a>' }, /^TEMPLATE_DIR: email\.html uses \{\{url\}\}, which is not one of its variables \(server_name, address, link, valid_for\)$/],
      ["a variable of another template's", { 'sms.txt': 'Open {{link}}' }, /^TEMPLATE_DIR: sms\.txt uses \{\{link\}\}/],
      ['a subject of two lines', { 'email-subject.txt': 'Confirm\nBcc: x@example.org' }, /^TEMPLATE_DIR: email-subject\.txt must be one line$/],
      ['an empty template', { 'email.txt': '\n' }, /^TEMPLATE_DIR: email\.txt is empty$/],
    ])('stops start-up on %s, naming TEMPLATE_DIR and the file', (_case, change, problem) => {
      write(Object.fromEntries(Object.entries({ ...ALL, ...change }).filter(([, text]) => text !== undefined)) as Record<string, string>);
      expect(problemsOf({ TEMPLATE_DIR: dir })).toEqual([expect.stringMatching(problem)]);
    });

    it('stops start-up on a directory that is not there', () => {
      expect(problemsOf({ TEMPLATE_DIR: join(dir, 'nowhere') })).toHaveLength(4);
    });
  });
});
