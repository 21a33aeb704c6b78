import type { Logger } from 'pino';
import type { AuditRecord } from '../domain/audit-record';
import type { AuditSink } from '../domain/ports/audit-sink';

/**
 * Audit records as lines of a pino log at `info` whatever the log's level (LOG_LEVEL=warn quiets
 * the server, not the audit trail), the record under the `audit` key, `context` `Audit`.
 */
export class PinoAuditSink implements AuditSink {
  private readonly logger: Logger;

  constructor(log: Logger) {
    this.logger = log.child({ context: 'Audit' }, { level: 'info' });
  }

  write(record: AuditRecord, message: string): void {
    this.logger.info({ audit: record }, message);
  }
}
