import { createHmac } from 'node:crypto';
import { addressHash, auditRecord } from '../../../src/audit/domain/audit-record';
import { ThreePidAddedEvent, ThreePidBoundEvent, ThreePidRemovedEvent, ThreePidUnboundEvent } from '../../../src/threepid/domain/three-pid.events';

const AT = Date.UTC(2026, 11, 2, 9, 30);
const PLAIN = { mode: 'plain' } as const;

describe('auditRecord', () => {
  it('names the change, its time in ISO 8601, who made it, for whom, the address, the instance and the outcome', () => {
    expect(auditRecord(new ThreePidAddedEvent('@a:hs', 'email', 'a@example.org', AT), 'hs-1', PLAIN)).toEqual({
      action: 'threepid.added',
      time: '2026-12-02T09:30:00.000Z',
      actor: '@a:hs',
      user_id: '@a:hs',
      medium: 'email',
      address: 'a@example.org',
      instance: 'hs-1',
      outcome: 'success',
    });
  });

  it('keeps the operator as actor, the identity server of binds, and the answer of an unbind as outcome', () => {
    expect(auditRecord(new ThreePidRemovedEvent('@a:hs', 'msisdn', '447700900123', AT, 'cli:olga'), 'hs-1', PLAIN)).toMatchObject({
      action: 'threepid.removed',
      actor: 'cli:olga',
      user_id: '@a:hs',
    });
    expect(auditRecord(new ThreePidBoundEvent('@a:hs', 'email', 'a@example.org', 'is.example.org', AT), 'hs-1', PLAIN)).toMatchObject({
      id_server: 'is.example.org',
      outcome: 'success',
    });
    expect(auditRecord(new ThreePidUnboundEvent('@a:hs', 'email', 'a@example.org', 'is.example.org', 'no-support', AT), 'hs-1', PLAIN)).toMatchObject({
      action: 'threepid.unbound',
      id_server: 'is.example.org',
      outcome: 'no-support',
    });
  });

  it('puts a keyed hash of medium and address in place of the address when asked', () => {
    const record = auditRecord(new ThreePidAddedEvent('@a:hs', 'email', 'a@example.org', AT), 'hs-1', { mode: 'hash', salt: 'sixteen-char-salt' });
    expect(record).not.toHaveProperty('address');
    expect(record.address_hash).toBe(createHmac('sha256', 'sixteen-char-salt').update('email:a@example.org').digest('hex'));
  });
});

describe('addressHash', () => {
  it('differs by salt and by medium, so that neither another deployment nor another medium matches', () => {
    const hash = addressHash('salt-one-long-enough', 'msisdn', '447700900123');
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(addressHash('salt-one-long-enough', 'msisdn', '447700900123')).toBe(hash);
    expect(addressHash('salt-two-long-enough', 'msisdn', '447700900123')).not.toBe(hash);
    expect(addressHash('salt-one-long-enough', 'email', '447700900123')).not.toBe(hash);
  });
});
