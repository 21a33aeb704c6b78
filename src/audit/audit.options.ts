import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { AuditAddresses } from './domain/audit-record';
import type { AuditSink } from './domain/ports/audit-sink';

/** The audit trail of 3PID changes. Needs Nest's EventEmitterModule, which carries the 3PID feature's events. */
export interface AuditModuleOptions {
  /** Names this server process in every record (INSTANCE_NAME). */
  instance: string;
  /** Addresses as they are (`{ mode: 'plain' }`), or as a salted hash (`{ mode: 'hash', salt }`). */
  addresses: AuditAddresses;
  /** Where records go. Default: the application's log (Nest's Logger, context `Audit`), at `info`. */
  sink?: AuditSink;
}

export const { ConfigurableModuleClass: ConfigurableAuditModule, MODULE_OPTIONS_TOKEN: AUDIT_MODULE_OPTIONS } =
  new ConfigurableModuleBuilder<AuditModuleOptions>().setClassMethodName('forRoot').build();
