import { Module } from '@nestjs/common';
import { AuditTrail } from './application/audit-trail';
import { AUDIT_MODULE_OPTIONS, type AuditModuleOptions, ConfigurableAuditModule } from './audit.options';
import { AuditSink } from './domain/ports/audit-sink';
import { LogAuditSink } from './infrastructure/log-audit.sink';

/**
 * The audit trail: `AuditModule.forRoot({ instance, addresses })`, beside ThreePidModule and
 * `EventEmitterModule.forRoot()`. Every stored 3PID change becomes one record (AuditRecord).
 */
@Module({
  providers: [
    AuditTrail,
    {
      provide: AuditSink,
      inject: [AUDIT_MODULE_OPTIONS],
      useFactory: ({ sink }: AuditModuleOptions): AuditSink => sink ?? new LogAuditSink(),
    },
  ],
})
export class AuditModule extends ConfigurableAuditModule {}
