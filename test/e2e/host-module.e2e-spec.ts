import { Body, Controller, HttpCode, Inject, Injectable, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventEmitterModule, OnEvent } from '@nestjs/event-emitter';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { TypeOrmModule } from '@nestjs/typeorm';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import request from 'supertest';
import { IsString } from 'class-validator';
import {
  AuthGuardsModule,
  AuthModule,
  ENTITIES,
  MatrixExceptionFilter,
  MatrixValidationPipe,
  MIGRATIONS,
  Requester,
  Requires3pidChanges,
  RequiresUia,
  ServerSigner,
  SigningModule,
  ThreePidModule,
  UiaRequestBody,
} from '../../src';
import { AccountService } from '../../src/auth/application/account.service';
import type { Requester as RequesterModel } from '../../src/auth/domain/user';
import { RouteTable } from '../../src/common/http/route-table';
import { ThreePidModuleOptions } from '../../src/threepid/three-pid.options';
import { FakeAccessTokenResolver, FakePasswordVerifier } from '../fakes/auth.fakes';
import { FakeThreePidPolicy, RecordingEmailSender, RecordingIdentityServerGateway, RecordingThreePidMetrics } from '../fakes/threepid.fakes';

/** A host homeserver's own endpoint, behind the module's switches. */
@Controller('_example/phone')
class HostController {
  @Post('verify')
  @HttpCode(200)
  @Requires3pidChanges('msisdn')
  verify(): { ok: true } {
    return { ok: true };
  }
}

class EraseBody extends UiaRequestBody {
  @IsString()
  reason!: string;
}

/** A host endpoint behind the module's User-Interactive Authentication. */
@Controller('_example/account')
class HostUiaController {
  @Post('erase')
  @HttpCode(200)
  @RequiresUia('erase your account')
  erase(@Requester() requester: RequesterModel, @Body() body: EraseBody): { erased: string; reason: string } {
    return { erased: requester.userId, reason: body.reason };
  }
}

/** How a host homeserver composes the module: its own database, its own mailer, its own controllers. */
async function startHost(
  options: Partial<ThreePidModuleOptions>,
): Promise<{ app: NestFastifyApplication; mailer: RecordingEmailSender; identityServers: RecordingIdentityServerGateway }> {
  const mailer = new RecordingEmailSender();
  const identityServers = new RecordingIdentityServerGateway();
  @Module({
    imports: [
      TypeOrmModule.forRoot({ type: 'better-sqlite3', database: ':memory:', entities: ENTITIES, migrations: MIGRATIONS, migrationsRun: true }),
      AuthModule.forRoot({ serverName: 'host.example' }),
      ThreePidModule.forRoot({
        changesEnabled: true,
        serverName: 'host.example',
        publicBaseUrl: 'https://host.example',
        media: ['email'],
        allowlist: [],
        lifetimes: { tokenMs: 3_600_000, sessionMs: 86_400_000 },
        email: { from: 'noreply@host.example' },
        sms: {},
        emailSender: mailer,
        identityServerGateway: identityServers,
        ...options,
      }),
    ],
    controllers: [HostController, HostUiaController],
  })
  class HostModule {}

  const app = await NestFactory.create<NestFastifyApplication>(HostModule, new FastifyAdapter(), { logger: false });
  app.useGlobalPipes(new MatrixValidationPipe());
  app.useGlobalFilters(new MatrixExceptionFilter(new RouteTable(), pino({ level: 'silent' })));
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return { app, mailer, identityServers };
}

describe('ThreePidModule in a host application', () => {
  it("binds through the host's own identity-server gateway, after the module's allow-list", async () => {
    const { app, identityServers } = await startHost({ identityServers: { allowlist: ['id.host.example'] } });
    try {
      await app.get(AccountService).createUser('alice', 'a long password');
      const http = () => request(app.getHttpServer());
      const login = await http()
        .post('/_matrix/client/v3/login')
        .send({ type: 'm.login.password', identifier: { type: 'm.id.user', user: 'alice' }, password: 'a long password' })
        .expect(200);
      const bind = (idServer: string) =>
        http()
          .post('/_matrix/client/v3/account/3pid/bind')
          .auth(login.body.access_token, { type: 'bearer' })
          .send({ sid: 's', client_secret: 'c', id_server: idServer, id_access_token: 't' });
      expect((await bind('elsewhere.example').expect(400)).body.errcode).toBe('M_SERVER_NOT_TRUSTED');
      expect(identityServers.calls).toEqual([]);
      await bind('id.host.example').expect(200);
      expect(identityServers.calls).toEqual([
        { operation: 'bind', idServer: 'id.host.example', request: { sid: 's', clientSecret: 'c', mxid: '@alice:host.example', idAccessToken: 't' } },
      ]);
    } finally {
      await app.close();
    }
  });

  it("sends validation e-mail through the host's own mailer", async () => {
    const { app, mailer } = await startHost({});
    try {
      const response = await request(app.getHttpServer())
        .post('/_matrix/client/v3/account/3pid/email/requestToken')
        .send({ client_secret: 'host', email: 'someone@example.org', send_attempt: 1 })
        .expect(200);
      expect(mailer.sent).toEqual([expect.objectContaining({ to: 'someone@example.org', subject: '[host.example] Validate your email' })]);
      expect(mailer.sent[0].text).toContain(`https://host.example/_matrix/client/unstable/add_threepid/email/submit_token?`);
      expect(mailer.sent[0].text).toContain(`sid=${response.body.sid}`);
    } finally {
      await app.close();
    }
  });

  it("counts into the host's own metrics, given as the metrics option", async () => {
    const metrics = new RecordingThreePidMetrics();
    const { app } = await startHost({ metrics });
    try {
      await request(app.getHttpServer())
        .post('/_matrix/client/v3/account/3pid/email/requestToken')
        .send({ client_secret: 'host', email: 'someone@example.org', send_attempt: 1 })
        .expect(200);
      expect(metrics.counted).toEqual(['validationMessageSent email', 'validationSessionStarted email']);
    } finally {
      await app.close();
    }
  });

  it("puts the module's switches on the host's own endpoints", async () => {
    const emailOnly = await startHost({});
    try {
      const response = await request(emailOnly.app.getHttpServer()).post('/_example/phone/verify').expect(400);
      expect(response.body.errcode).toBe('M_THREEPID_MEDIUM_NOT_SUPPORTED');
    } finally {
      await emailOnly.app.close();
    }
    const disabled = await startHost({ changesEnabled: false, media: ['email', 'msisdn'] });
    try {
      expect((await request(disabled.app.getHttpServer()).post('/_example/phone/verify').expect(403)).body.errcode).toBe('M_FORBIDDEN');
    } finally {
      await disabled.app.close();
    }
    const enabled = await startHost({ media: ['msisdn'] });
    try {
      expect((await request(enabled.app.getHttpServer()).post('/_example/phone/verify').expect(200)).body).toEqual({ ok: true });
    } finally {
      await enabled.app.close();
    }
  });

  it("puts User-Interactive Authentication on the host's own endpoints with @RequiresUia()", async () => {
    const { app } = await startHost({});
    try {
      await app.get(AccountService).createUser('alice', 'a long password');
      const http = () => request(app.getHttpServer());
      const login = await http()
        .post('/_matrix/client/v3/login')
        .send({ type: 'm.login.password', identifier: { type: 'm.id.user', user: 'alice' }, password: 'a long password' })
        .expect(200);
      const erase = (body: Record<string, unknown>) => http().post('/_example/account/erase').auth(login.body.access_token, { type: 'bearer' }).send(body);

      expect((await erase({ auth: { type: 'm.login.password', user: 'alice', password: 'a long password' } }).expect(400)).body.errcode).toBe(
        'M_MISSING_PARAM',
      );
      const { session } = (await erase({ reason: 'moving on' }).expect(401)).body;
      const auth = { type: 'm.login.password', session, user: 'alice', password: 'a long password' };
      expect((await erase({ reason: 'moving on', auth }).expect(200)).body).toEqual({ erased: '@alice:host.example', reason: 'moving on' });
      expect((await erase({ reason: 'moving on', auth: { session } }).expect(400)).body.errcode).toBe('M_UNKNOWN');
    } finally {
      await app.close();
    }
  });
});

/** A host feature that signs what it sends, from a module that does not import SigningModule. */
@Injectable()
class HostOutbox {
  constructor(@Inject(ServerSigner) readonly signer: ServerSigner) {}
}

@Module({ providers: [HostOutbox] })
class HostOutboxModule {}

describe('SigningModule in a host application', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'm3pid-host-key-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("gives the host's own features the ServerSigner of the key it publishes", async () => {
    @Module({
      imports: [SigningModule.forRoot({ serverName: 'host.example', keyPath: join(dir, 'keys', 'signing.key'), keyValidityMs: 3_600_000 }), HostOutboxModule],
    })
    class SigningHostModule {}

    const app = await NestFactory.create<NestFastifyApplication>(SigningHostModule, new FastifyAdapter(), { logger: false });
    try {
      await app.init();
      await app.getHttpAdapter().getInstance().ready();
      const signer = app.get(HostOutbox).signer;
      const before = Date.now();
      const { body } = await request(app.getHttpServer()).get('/_matrix/key/v2/server').expect(200);
      expect(body.server_name).toBe('host.example');
      expect(Object.keys(body.verify_keys)).toEqual([signer.keyId]);
      expect(body.signatures['host.example'][signer.keyId]).toBe(signer.signJson(body));
      expect(body.valid_until_ts).toBeGreaterThanOrEqual(before + 3_600_000);
      expect(body.valid_until_ts).toBeLessThanOrEqual(Date.now() + 3_600_000);
    } finally {
      await app.close();
    }
  });
});

/** A host feature that hears of every 3PID change, through Nest's event emitter. */
@Injectable()
class HostAuditLog {
  readonly entries: { eventName: string; userId?: string; medium: string; address: string; occurredAt: number }[] = [];

  @OnEvent('threepid.*')
  record(event: { eventName: string; userId?: string; medium: string; address: string; occurredAt: number }): void {
    this.entries.push({ eventName: event.eventName, userId: event.userId, medium: event.medium, address: event.address, occurredAt: event.occurredAt });
  }
}

describe('ThreePidModule in a host application with accounts of its own (no AuthModule)', () => {
  const ALICE = '@alice:host.example';
  const BOB = '@bob:host.example';
  let app: NestFastifyApplication;
  let mailer: RecordingEmailSender;
  let policy: FakeThreePidPolicy;
  let audit: HostAuditLog;
  const http = () => request(app.getHttpServer());
  const as = (token: string) => ({ post: (path: string, body: object) => http().post(path).auth(token, { type: 'bearer' }).send(body) });

  beforeAll(async () => {
    const tokens = new FakeAccessTokenResolver();
    tokens.tokens.set('alice-token', { userId: ALICE, deviceId: 'PHONE' });
    tokens.tokens.set('bob-token', { userId: BOB, deviceId: 'LAPTOP' });
    const passwords = new FakePasswordVerifier();
    passwords.passwords.set(ALICE, 'alice in wonderland');
    passwords.passwords.set(BOB, 'bob the builder');
    mailer = new RecordingEmailSender();
    policy = new FakeThreePidPolicy();
    policy.deniedAdditions.add('mallory@example.org');

    @Module({
      imports: [
        TypeOrmModule.forRoot({ type: 'better-sqlite3', database: ':memory:', entities: ENTITIES, migrations: MIGRATIONS, migrationsRun: true }),
        EventEmitterModule.forRoot({ wildcard: true }),
        AuthGuardsModule.forRoot({ accessTokenResolver: tokens, passwordVerifier: passwords }),
        ThreePidModule.forRoot({
          changesEnabled: true,
          serverName: 'host.example',
          publicBaseUrl: 'https://host.example',
          media: ['email'],
          allowlist: [],
          lifetimes: { tokenMs: 3_600_000, sessionMs: 86_400_000 },
          email: { from: 'noreply@host.example' },
          sms: {},
          emailSender: mailer,
          identityServerGateway: new RecordingIdentityServerGateway(),
          policy,
        }),
      ],
      controllers: [HostUiaController],
      providers: [HostAuditLog],
    })
    class OwnAccountsHostModule {}

    app = await NestFactory.create<NestFastifyApplication>(OwnAccountsHostModule, new FastifyAdapter(), { logger: false });
    app.useGlobalPipes(new MatrixValidationPipe());
    app.useGlobalFilters(new MatrixExceptionFilter(new RouteTable(), pino({ level: 'silent' })));
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    audit = app.get(HostAuditLog);
  });
  afterAll(async () => {
    await app.close();
  });

  /** requestToken, then the token from the host's mailer submitted as JSON; returns the credentials. */
  const validate = async (address: string, clientSecret: string) => {
    const { sid } = (await http().post('/_matrix/client/v3/account/3pid/email/requestToken').send({ client_secret: clientSecret, email: address, send_attempt: 1 }).expect(200)).body;
    const token = new URL(mailer.sent.at(-1)!.text.match(/https:\S+/)![0]).searchParams.get('token');
    await http().post('/_matrix/client/unstable/add_threepid/email/submit_token').send({ sid, client_secret: clientSecret, token }).expect(200);
    return { sid, client_secret: clientSecret };
  };
  const addWithUia = async (token: string, user: string, password: string, credentials: object) => {
    const { session } = (await as(token).post('/_matrix/client/v3/account/3pid/add', credentials).expect(401)).body;
    const auth = { type: 'm.login.password', session, identifier: { type: 'm.id.user', user }, password };
    return as(token).post('/_matrix/client/v3/account/3pid/add', { ...credentials, auth });
  };

  it("adds and removes an address with the host's tokens and passwords, and tells the host's listener each step", async () => {
    audit.entries.length = 0;
    const credentials = await validate('Alice@Example.org', 'alice-secret');
    await addWithUia('alice-token', ALICE, 'alice in wonderland', credentials).then((response) => expect(response.body).toEqual({}));
    const listed = await http().get('/_matrix/client/v3/account/3pid').auth('alice-token', { type: 'bearer' }).expect(200);
    expect(listed.body.threepids).toEqual([expect.objectContaining({ medium: 'email', address: 'alice@example.org' })]);
    await as('alice-token').post('/_matrix/client/v3/account/3pid/delete', { medium: 'email', address: 'alice@example.org' }).expect(200);

    expect(audit.entries.map(({ eventName, userId, address }) => ({ eventName, userId, address }))).toEqual([
      { eventName: 'threepid.validation_requested', userId: undefined, address: 'alice@example.org' },
      { eventName: 'threepid.validated', userId: undefined, address: 'alice@example.org' },
      { eventName: 'threepid.added', userId: ALICE, address: 'alice@example.org' },
      { eventName: 'threepid.removed', userId: ALICE, address: 'alice@example.org' },
    ]);
    expect(audit.entries.every((entry) => Number.isSafeInteger(entry.occurredAt) && entry.medium === 'email')).toBe(true);
  });

  it("asks the host's password verifier in UIA, and refuses a token it does not know with 401 M_UNKNOWN_TOKEN", async () => {
    const credentials = await validate('bob@example.org', 'bob-secret');
    const wrong = await addWithUia('bob-token', BOB, 'not his password', credentials);
    expect({ status: wrong.status, errcode: wrong.body.errcode }).toEqual({ status: 401, errcode: 'M_FORBIDDEN' });
    const unknown = await as('nobody-token').post('/_matrix/client/v3/account/3pid/add', credentials);
    expect({ status: unknown.status, errcode: unknown.body.errcode }).toEqual({ status: 401, errcode: 'M_UNKNOWN_TOKEN' });
  });

  it("refuses what the host's policy denies before anything is sent: 403 M_THREEPID_DENIED", async () => {
    const sent = mailer.sent.length;
    const response = await http().post('/_matrix/client/v3/account/3pid/email/requestToken').send({ client_secret: 's', email: 'mallory@example.org', send_attempt: 1 });
    expect({ status: response.status, errcode: response.body.errcode }).toEqual({ status: 403, errcode: 'M_THREEPID_DENIED' });
    expect(mailer.sent).toHaveLength(sent);
  });

  it('announces one addition when two users add the same address at once: the refused one announces nothing', async () => {
    const alices = await validate('shared@example.org', 'alice-shared');
    const bobs = await validate('shared@example.org', 'bob-shared');
    audit.entries.length = 0;
    const answers = await Promise.all([
      addWithUia('alice-token', ALICE, 'alice in wonderland', alices),
      addWithUia('bob-token', BOB, 'bob the builder', bobs),
    ]);
    expect(answers.map((answer) => answer.body.errcode ?? 'added').sort()).toEqual(['M_THREEPID_IN_USE', 'added']);
    const winner = answers[0].status === 200 ? ALICE : BOB;
    expect(audit.entries.map(({ eventName, userId }) => ({ eventName, userId }))).toEqual([{ eventName: 'threepid.added', userId: winner }]);
  });

  it("puts the host's requester on its own endpoints behind @RequiresUia()", async () => {
    const { session } = (await as('bob-token').post('/_example/account/erase', { reason: 'moving on' }).expect(401)).body;
    const auth = { type: 'm.login.password', session, identifier: { type: 'm.id.user', user: BOB }, password: 'bob the builder' };
    expect((await as('bob-token').post('/_example/account/erase', { reason: 'moving on', auth }).expect(200)).body).toEqual({ erased: BOB, reason: 'moving on' });
  });
});
