import { Logger, Module } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { getRepositoryToken, TypeOrmModule } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { CommonModule } from '../common/common.module';
import { DeprecatedAddGuard } from './api/deprecated-add.guard';
import { SubmitTokenController } from './api/submit-token.controller';
import { ThreePidController } from './api/three-pid.controller';
import { ThreePidChangesGuard } from './api/requires-3pid-changes.decorator';
import { ValidationController } from './api/validation.controller';
import { IdentityServerService } from './application/identity-server.service';
import { ThreePidLogin } from './application/three-pid-login';
import { NO_THREE_PID_METRICS, ThreePidMetrics } from './application/ports/three-pid-metrics';
import { ThreePidService } from './application/three-pid.service';
import { ValidationMessages } from './application/validation-messages';
import { ValidationService } from './application/validation.service';
import { EmailSender } from './domain/ports/email-sender';
import { IdentityServerGateway } from './domain/ports/identity-server.gateway';
import { IdentityServerPolicy } from './domain/identity-server';
import { SmsSender } from './domain/ports/sms-sender';
import { ThreePidBindingRepository } from './domain/ports/three-pid-binding.repository';
import { ThreePidEventPublisher } from './domain/ports/three-pid-event-publisher';
import { ThreePidPolicy } from './domain/ports/three-pid-policy';
import { ThreePidRepository } from './domain/ports/three-pid.repository';
import { ValidationSessionRepository } from './domain/ports/validation-session.repository';
import { ThreePidAllowlist } from './domain/three-pid-policy';
import { EventEmitterThreePidEventPublisher } from './infrastructure/event-emitter.publisher';
import { LogEmailSender } from './infrastructure/log-email.sender';
import { LogSmsSender } from './infrastructure/log-sms.sender';
import { HttpIdentityServerGateway } from './infrastructure/http-identity-server.gateway';
import { SmtpEmailSender } from './infrastructure/smtp-email.sender';
import { ThreePidBindingOrmEntity } from './infrastructure/three-pid-binding.orm-entity';
import { ThreePidOrmEntity } from './infrastructure/three-pid.orm-entity';
import { TypeOrmThreePidBindingRepository } from './infrastructure/typeorm-three-pid-binding.repository';
import { TypeOrmThreePidRepository } from './infrastructure/typeorm-three-pid.repository';
import { TypeOrmValidationSessionRepository } from './infrastructure/typeorm-validation-session.repository';
import { ValidationSessionOrmEntity } from './infrastructure/validation-session.orm-entity';
import { WebhookSmsSender } from './infrastructure/webhook-sms.sender';
import { ServerSigner } from '../signing/domain/ports/server-signer';
import { ConfigurableThreePidModule, IDENTITY_SERVER_DEFAULTS, THREE_PID_MODULE_OPTIONS, type ThreePidModuleOptions } from './three-pid.options';

/**
 * The Account Administrative Contact API. `ThreePidModule.forRoot({...})` or
 * `ThreePidModule.forRootAsync({ inject, useFactory })`; each port has a default adapter, and the
 * host's own takes over when the options name one (`emailSender`, `smsSender`,
 * `identityServerGateway`, `policy`, `eventPublisher`, `metrics`, the repositories). The default gateway signs
 * unbinds with the ServerSigner the host provides (SigningModule, or its own). Requests are
 * authenticated by AuthModule, or by AuthGuardsModule with the host's own accounts.
 */
@Module({
  imports: [CommonModule, TypeOrmModule.forFeature([ThreePidOrmEntity, ValidationSessionOrmEntity, ThreePidBindingOrmEntity])],
  controllers: [ThreePidController, ValidationController, SubmitTokenController],
  providers: [
    ThreePidService,
    ValidationService,
    IdentityServerService,
    ThreePidLogin,
    ThreePidChangesGuard,
    DeprecatedAddGuard,
    {
      provide: IdentityServerGateway,
      inject: [THREE_PID_MODULE_OPTIONS, { token: ServerSigner, optional: true }],
      useFactory: ({ identityServerGateway, identityServers = {} }: ThreePidModuleOptions, signer?: ServerSigner): IdentityServerGateway => {
        if (identityServerGateway) return identityServerGateway;
        if (!signer) {
          throw new Error('ThreePidModule signs identity-server unbinds: import SigningModule (or provide ServerSigner), or pass identityServerGateway');
        }
        const settings = { ...IDENTITY_SERVER_DEFAULTS, ...identityServers };
        return new HttpIdentityServerGateway(settings, new IdentityServerPolicy(identityServers.allowlist ?? []), signer);
      },
    },
    {
      provide: ThreePidRepository,
      inject: [THREE_PID_MODULE_OPTIONS, getRepositoryToken(ThreePidOrmEntity)],
      useFactory: ({ threePidRepository }: ThreePidModuleOptions, rows: Repository<ThreePidOrmEntity>): ThreePidRepository =>
        threePidRepository ?? new TypeOrmThreePidRepository(rows),
    },
    {
      provide: ThreePidBindingRepository,
      inject: [THREE_PID_MODULE_OPTIONS, getRepositoryToken(ThreePidBindingOrmEntity)],
      useFactory: ({ threePidBindingRepository }: ThreePidModuleOptions, rows: Repository<ThreePidBindingOrmEntity>): ThreePidBindingRepository =>
        threePidBindingRepository ?? new TypeOrmThreePidBindingRepository(rows),
    },
    {
      provide: ValidationSessionRepository,
      inject: [THREE_PID_MODULE_OPTIONS, getRepositoryToken(ValidationSessionOrmEntity)],
      useFactory: ({ validationSessionRepository }: ThreePidModuleOptions, rows: Repository<ValidationSessionOrmEntity>): ValidationSessionRepository =>
        validationSessionRepository ?? new TypeOrmValidationSessionRepository(rows),
    },
    {
      provide: ThreePidPolicy,
      inject: [THREE_PID_MODULE_OPTIONS],
      useFactory: ({ policy, allowlist }: ThreePidModuleOptions): ThreePidPolicy => policy ?? new ThreePidAllowlist(allowlist),
    },
    {
      // Parsed once, so that a template naming an unknown variable stops start-up.
      provide: ValidationMessages,
      inject: [THREE_PID_MODULE_OPTIONS],
      useFactory: ({ templates }: ThreePidModuleOptions): ValidationMessages => new ValidationMessages(templates),
    },
    {
      provide: ThreePidEventPublisher,
      inject: [THREE_PID_MODULE_OPTIONS, { token: EventEmitter2, optional: true }],
      useFactory: ({ eventPublisher }: ThreePidModuleOptions, emitter?: EventEmitter2): ThreePidEventPublisher =>
        eventPublisher ?? new EventEmitterThreePidEventPublisher(emitter),
    },
    {
      provide: ThreePidMetrics,
      inject: [THREE_PID_MODULE_OPTIONS],
      useFactory: ({ metrics }: ThreePidModuleOptions): ThreePidMetrics => metrics ?? NO_THREE_PID_METRICS,
    },
    {
      provide: EmailSender,
      inject: [THREE_PID_MODULE_OPTIONS],
      useFactory: ({ email, media, emailSender }: ThreePidModuleOptions): EmailSender => {
        if (emailSender) return emailSender;
        if (email.smtpUrl) return new SmtpEmailSender(email.smtpUrl, email.from, email.timeoutMs);
        if (media.includes('email')) warnDeliveryToLog('SMTP_URL', 'emails');
        return new LogEmailSender();
      },
    },
    {
      provide: SmsSender,
      inject: [THREE_PID_MODULE_OPTIONS],
      useFactory: ({ sms, media, smsSender }: ThreePidModuleOptions): SmsSender => {
        if (smsSender) return smsSender;
        if (sms.webhookUrl) return new WebhookSmsSender(sms.webhookUrl);
        if (media.includes('msisdn')) warnDeliveryToLog('SMS_WEBHOOK_URL', 'SMS');
        return new LogSmsSender();
      },
    },
  ],
  // The guard and the options go too, so that a host's own controllers can use @Requires3pidChanges().
  exports: [
    ThreePidService,
    ValidationService,
    IdentityServerService,
    ThreePidRepository,
    ThreePidBindingRepository,
    ValidationSessionRepository,
    ThreePidChangesGuard,
    THREE_PID_MODULE_OPTIONS,
  ],
})
export class ThreePidModule extends ConfigurableThreePidModule {}

function warnDeliveryToLog(setting: string, messages: string): void {
  new Logger(ThreePidModule.name).warn(`${setting} is not set: validation ${messages} are written to this log instead of being sent`);
}
