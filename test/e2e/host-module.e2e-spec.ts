import { Controller, HttpCode, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { TypeOrmModule } from '@nestjs/typeorm';
import pino from 'pino';
import request from 'supertest';
import { AuthModule, ENTITIES, MatrixExceptionFilter, MatrixValidationPipe, MIGRATIONS, Requires3pidChanges, ThreePidModule } from '../../src';
import { RouteTable } from '../../src/common/http/route-table';
import { ThreePidModuleOptions } from '../../src/threepid/three-pid.options';
import { RecordingEmailSender } from '../fakes/threepid.fakes';

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

/** How a host homeserver composes the module: its own database, its own mailer, its own controllers. */
async function startHost(options: Partial<ThreePidModuleOptions>): Promise<{ app: NestFastifyApplication; mailer: RecordingEmailSender }> {
  const mailer = new RecordingEmailSender();
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
        ...options,
      }),
    ],
    controllers: [HostController],
  })
  class HostModule {}

  const app = await NestFactory.create<NestFastifyApplication>(HostModule, new FastifyAdapter(), { logger: false });
  app.useGlobalPipes(new MatrixValidationPipe());
  app.useGlobalFilters(new MatrixExceptionFilter(new RouteTable(), pino({ level: 'silent' })));
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return { app, mailer };
}

describe('ThreePidModule in a host application', () => {
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
});
