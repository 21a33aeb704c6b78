import { Inject, Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import {
  ThreePidAddedEvent,
  ThreePidBoundEvent,
  ThreePidRemovedEvent,
  ThreePidUnboundEvent,
} from '../../threepid/domain/three-pid.events';
import { AUDIT_MODULE_OPTIONS, type AuditModuleOptions } from '../audit.options';
import { type AuditedChange, auditRecord } from '../domain/audit-record';
import { AuditSink } from '../domain/ports/audit-sink';

const MESSAGES: Record<AuditedChange['eventName'], string> = {
  [ThreePidAddedEvent.eventName]: '3PID added',
  [ThreePidRemovedEvent.eventName]: '3PID removed',
  [ThreePidBoundEvent.eventName]: '3PID bound at an identity server',
  [ThreePidUnboundEvent.eventName]: '3PID unbound at an identity server',
};

/**
 * Who added, removed, bound or unbound which address, and when: one audit record per change the
 * 3PID feature stored (its events), whoever made it (the user, or an operator's admin command).
 */
@Injectable()
export class AuditTrail {
  constructor(
    @Inject(AUDIT_MODULE_OPTIONS) private readonly options: AuditModuleOptions,
    @Inject(AuditSink) private readonly sink: AuditSink,
  ) {}

  @OnEvent(ThreePidAddedEvent.eventName)
  @OnEvent(ThreePidRemovedEvent.eventName)
  @OnEvent(ThreePidBoundEvent.eventName)
  @OnEvent(ThreePidUnboundEvent.eventName)
  record(change: AuditedChange): void {
    this.sink.write(auditRecord(change, this.options.instance, this.options.addresses), MESSAGES[change.eventName]);
  }
}
