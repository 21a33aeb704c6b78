import { Body, Controller, HttpCode, Inject, Injectable, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { TypeOrmModule } from '@nestjs/typeorm';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import request from 'supertest';
import { IsString } from 'class-validator';
import {
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
import { RecordingEmailSender, RecordingIdentityServerGateway } from '../fakes/threepid.fakes';

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
