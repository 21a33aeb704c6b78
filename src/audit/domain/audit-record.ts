import { createHmac } from 'node:crypto';
import type { Medium } from '../../threepid/domain/medium';
import {
  ThreePidAddedEvent,
  ThreePidBoundEvent,
  ThreePidRemovedEvent,
  ThreePidUnboundEvent,
} from '../../threepid/domain/three-pid.events';

/** The changes to accounts that are audited: each has happened (it is stored) by the time it is. */
export type AuditedChange = ThreePidAddedEvent | ThreePidRemovedEvent | ThreePidBoundEvent | ThreePidUnboundEvent;

/** How addresses appear in the audit trail: as they are, or as a salted hash (`addressHash`). */
export type AuditAddresses = { mode: 'plain' } | { mode: 'hash'; salt: string };

/** One line of the audit trail, under the log line's `audit` key. */
export interface AuditRecord {
  /** The event's name: `threepid.added`, `threepid.removed`, `threepid.bound` or `threepid.unbound`. */
  action: AuditedChange['eventName'];
  /** When the change was stored, ISO 8601 in UTC. */
  time: string;
  /** Who made the change: the user's ID, or `cli:<operator>` for an admin command. */
  actor: string;
  user_id: string;
  medium: Medium;
  /** The canonical address, unless AUDIT_ADDRESSES=hash... */
  address?: string;
  /** ...which logs this instead: addressHash(salt, medium, address). */
  address_hash?: string;
  /** The identity server of a bind or unbind. */
  id_server?: string;
  /** Which server process made the change (INSTANCE_NAME). */
  instance: string;
  /** `success`; for an unbind, the identity server's answer: `success` or `no-support`. */
  outcome: 'success' | 'no-support';
}

export function auditRecord(change: AuditedChange, instance: string, addresses: AuditAddresses): AuditRecord {
  const address =
    addresses.mode === 'hash' ? { address_hash: addressHash(addresses.salt, change.medium, change.address) } : { address: change.address };
  return {
    action: change.eventName,
    time: new Date(change.occurredAt).toISOString(),
    actor: change.actor,
    user_id: change.userId,
    medium: change.medium,
    ...address,
    ...('idServer' in change ? { id_server: change.idServer } : {}),
    instance,
    outcome: change instanceof ThreePidUnboundEvent ? change.result : 'success',
  };
}

/**
 * An address as AUDIT_ADDRESSES=hash logs it: HMAC-SHA-256 keyed with the salt, in hex, of
 * `medium:address` (canonical). The same address always gives the same hash, so its lines can be
 * found (`npm run cli -- audit:hash <medium> <address>`), and without the salt nobody can test
 * guesses against the log.
 */
export function addressHash(salt: string, medium: Medium, address: string): string {
  return createHmac('sha256', salt).update(`${medium}:${address}`).digest('hex');
}
