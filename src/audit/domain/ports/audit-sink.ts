import type { AuditRecord } from '../audit-record';

/**
 * Where the audit trail goes. The default writes each record as one log line at `info`, under the
 * `audit` key; a host may send it elsewhere (its own log, a table, a queue).
 */
export interface AuditSink {
  write(record: AuditRecord, message: string): void;
}
export const AuditSink = Symbol('AuditSink');
