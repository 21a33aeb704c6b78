import { Logger } from '@nestjs/common';
import type { AuditRecord } from '../domain/audit-record';
import type { AuditSink } from '../domain/ports/audit-sink';

/** The default AuditSink: the application's log, at `info`, the record under the fixed `audit` key. */
export class LogAuditSink implements AuditSink {
  private readonly logger = new Logger('Audit');

  write(record: AuditRecord, message: string): void {
    this.logger.log({ audit: record }, message);
  }
}
