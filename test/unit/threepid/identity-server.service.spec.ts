import { ConsoleLogger, Logger } from '@nestjs/common';
import { IdentityServerService } from '../../../src/threepid/application/identity-server.service';
import { IdentityServerRefusedError, IdentityServerUnavailableError, IdServerNotTrustedError } from '../../../src/threepid/domain/identity-server.errors';
import { IdServer } from '../../../src/threepid/domain/identity-server';
import { ThreePidBoundEvent, ThreePidUnboundEvent } from '../../../src/threepid/domain/three-pid.events';
import { ThreePidModuleOptions } from '../../../src/threepid/three-pid.options';
import { SESSION_DEFAULTS } from '../../builders/validation-session.builder';
import { FixedClock } from '../../fakes/auth.fakes';
import {
  InMemoryThreePidBindingRepository,
  RecordingEventPublisher,
  RecordingIdentityServerGateway,
  RecordingThreePidMetrics,
} from '../../fakes/threepid.fakes';
import { rejection } from '../../support/rejection';

const ALICE = '@alice:example.org';
const t0 = SESSION_DEFAULTS.startedAt;
const OPTIONS: ThreePidModuleOptions = {
  changesEnabled: true,
  serverName: 'example.org',
  publicBaseUrl: 'https://matrix.example.org',
  media: ['email', 'msisdn'],
  allowlist: [],
  lifetimes: SESSION_DEFAULTS.lifetimes,
  email: { from: 'noreply@example.org' },
  sms: {},
};
const bindCommand = { idServer: 'ID.example.org', sid: 'is-sid', clientSecret: 'secret', idAccessToken: 'is-token' };
const unavailable = (idServer: string) => new IdentityServerUnavailableError('unreachable', IdServer.parse(idServer));

describe(IdentityServerService.name, () => {
  let gateway: RecordingIdentityServerGateway;
  let bindings: InMemoryThreePidBindingRepository;
  let events: RecordingEventPublisher;
  let service: IdentityServerService;
  const serviceWith = (allowlist: string[]) =>
    new IdentityServerService(gateway, bindings, new FixedClock(t0), { ...OPTIONS, identityServers: { allowlist } }, events);
  const bound = (idServer: string, address = 'alice@example.org') => bindings.record({ userId: ALICE, medium: 'email', address, idServer, boundAt: t0 });

  // Skipping a server no longer trusted is logged; the test says so itself.
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(new ConsoleLogger()));

  beforeEach(() => {
    gateway = new RecordingIdentityServerGateway();
    bindings = new InMemoryThreePidBindingRepository();
    events = new RecordingEventPublisher();
    service = serviceWith([]);
  });

  describe('bind', () => {
    it('asks the identity server to bind the session to the user, and records the binding it reports, canonicalised', async () => {
      gateway.association = { medium: 'email', address: ' Alice@Example.ORG', mxid: ALICE };
      await service.bind(ALICE, bindCommand);
      expect(gateway.calls).toEqual([
        { operation: 'bind', idServer: 'id.example.org', request: { sid: 'is-sid', clientSecret: 'secret', mxid: ALICE, idAccessToken: 'is-token' } },
      ]);
      expect(bindings.bindings).toEqual([{ userId: ALICE, medium: 'email', address: 'alice@example.org', idServer: 'id.example.org', boundAt: t0 }]);
    });

    it.each([
      ['a malformed id_server', 'https://id.example.org', 'M_INVALID_PARAM'],
      ['a server not on the allow-list', 'other.example.org', 'M_SERVER_NOT_TRUSTED'],
    ])('refuses %s before any request', async (_case, idServer, errcode) => {
      service = serviceWith(['id.example.org']);
      const error = await rejection(service.bind(ALICE, { ...bindCommand, idServer }));
      expect({ status: error.status, errcode: error.errcode }).toEqual({ status: 400, errcode });
      expect(gateway.calls).toEqual([]);
    });

    it.each([
      ['another user', { medium: 'email', address: 'alice@example.org', mxid: '@mallory:example.org' }],
      ['no medium', { address: 'alice@example.org', mxid: ALICE }],
      ['a medium this server does not know', { medium: 'fax', address: '1234', mxid: ALICE }],
      ['an address that does not parse', { medium: 'email', address: 'not an address', mxid: ALICE }],
    ])('records nothing when the identity server reports %s: 502', async (_case, association) => {
      gateway.association = association as never;
      const error = await rejection(service.bind(ALICE, bindCommand));
      expect({ status: error.status, errcode: error.errcode }).toEqual({ status: 502, errcode: 'M_UNKNOWN' });
      expect(bindings.bindings).toEqual([]);
    });

    it("passes the identity server's refusal on, recording nothing", async () => {
      gateway.association = new IdentityServerRefusedError(400, 'M_SESSION_NOT_VALIDATED', 'not validated');
      await expect(service.bind(ALICE, bindCommand)).rejects.toMatchObject({ status: 400, errcode: 'M_SESSION_NOT_VALIDATED' });
      expect(bindings.bindings).toEqual([]);
    });
  });

  describe('unbind', () => {
    it('answers no-support without any request when the address was bound nowhere through this homeserver', async () => {
      await expect(service.unbind(ALICE, 'email', 'alice@example.org')).resolves.toBe('no-support');
      expect(gateway.calls).toEqual([]);
    });

    it('unbinds at every server the address was bound at, and forgets those bindings: success when all unbound it', async () => {
      await bound('a.example.org');
      await bound('b.example.org');
      await bound('a.example.org', 'other@example.org');
      await expect(service.unbind(ALICE, 'email', ' ALICE@example.org')).resolves.toBe('success');
      expect(gateway.calls.map((call) => [call.idServer, call.request])).toEqual([
        ['a.example.org', { mxid: ALICE, medium: 'email', address: 'alice@example.org' }],
        ['b.example.org', { mxid: ALICE, medium: 'email', address: 'alice@example.org' }],
      ]);
      expect(bindings.bindings.map((b) => b.address)).toEqual(['other@example.org']);
    });

    it('answers no-support when one server does not support unbinding, and forgets that binding too', async () => {
      await bound('a.example.org');
      await bound('b.example.org');
      gateway.unbindResults.set('b.example.org', 'no-support');
      await expect(service.unbind(ALICE, 'email', 'alice@example.org')).resolves.toBe('no-support');
      expect(bindings.bindings).toEqual([]);
    });

    it("throws a failing server's error, keeping its binding and forgetting the others' that answered", async () => {
      await bound('a.example.org');
      await bound('b.example.org');
      gateway.unbindResults.set('a.example.org', unavailable('a.example.org'));
      await expect(service.unbind(ALICE, 'email', 'alice@example.org')).rejects.toMatchObject({ status: 502, message: expect.stringContaining('a.example.org') });
      expect(bindings.bindings.map((b) => b.idServer)).toEqual(['a.example.org']);
    });

    it('unbinds at the named server only, bound there or not', async () => {
      await bound('a.example.org');
      await expect(service.unbind(ALICE, 'email', 'alice@example.org', 'C.example.org')).resolves.toBe('success');
      expect(gateway.calls.map((call) => call.idServer)).toEqual(['c.example.org']);
      expect(bindings.bindings.map((b) => b.idServer)).toEqual(['a.example.org']);
    });

    it('no longer contacts a server taken off the allow-list since it was bound there, and keeps that binding', async () => {
      await bound('a.example.org');
      await bound('b.example.org');
      service = serviceWith(['b.example.org']);
      await expect(service.unbind(ALICE, 'email', 'alice@example.org')).resolves.toBe('success');
      expect(gateway.calls.map((call) => call.idServer)).toEqual(['b.example.org']);
      expect(bindings.bindings.map((b) => b.idServer)).toEqual(['a.example.org']);
    });

    it.each([
      ['a malformed id_server', 'id.example.org/path', 'M_INVALID_PARAM'],
      ['a server not on the allow-list', 'evil.example.org', 'M_SERVER_NOT_TRUSTED'],
    ])('refuses %s before any request', async (_case, idServer, errcode) => {
      service = serviceWith(['id.example.org']);
      await expect(service.unbind(ALICE, 'email', 'alice@example.org', idServer)).rejects.toMatchObject({ status: 400, errcode });
      expect(gateway.calls).toEqual([]);
    });

    it('refuses an address that does not parse, before any request', async () => {
      await bound('a.example.org');
      await expect(service.unbind(ALICE, 'msisdn', 'call me')).rejects.toMatchObject({ status: 400, errcode: 'M_INVALID_PARAM' });
      expect(gateway.calls).toEqual([]);
    });
  });

  describe('confirmedThreePid', () => {
    const query = { sid: 's', clientSecret: 'c', idAccessToken: 't' };

    it('returns what the identity server validated, canonicalised', async () => {
      gateway.validated = { medium: 'msisdn', address: '+447700900123', validatedAt: 1_700_000_000_000 };
      await expect(service.confirmedThreePid('id.example.org', query)).resolves.toEqual({
        medium: 'msisdn',
        address: '447700900123',
        validatedAt: 1_700_000_000_000,
      });
    });

    it.each([
      ['no validated_at', { medium: 'email', address: 'a@example.org' }],
      ['a validated_at that is not an integer', { medium: 'email', address: 'a@example.org', validatedAt: '1700000000000' }],
      ['an unknown medium', { medium: 'fax', address: '1', validatedAt: 1 }],
    ])('treats an answer with %s as unusable: 502', async (_case, validated) => {
      gateway.validated = validated as never;
      await expect(service.confirmedThreePid('id.example.org', query)).rejects.toMatchObject({ status: 502 });
    });
  });

  describe('events', () => {
    it('announces a binding once it is recorded, as the identity server reported it', async () => {
      gateway.association = { medium: 'email', address: 'Alice@Example.org', mxid: ALICE };
      await service.bind(ALICE, bindCommand);
      expect(events.events).toEqual([new ThreePidBoundEvent(ALICE, 'email', 'alice@example.org', 'id.example.org', t0)]);
    });

    it('announces no binding the identity server refused', async () => {
      gateway.association = new IdentityServerRefusedError(400, 'M_SESSION_NOT_VALIDATED', 'not validated');
      await expect(service.bind(ALICE, bindCommand)).rejects.toMatchObject({ status: 400 });
      expect(events.events).toEqual([]);
    });

    it('announces each unbind a server answered, with its answer, and none for a server that failed', async () => {
      await bound('a.example.org');
      await bound('b.example.org');
      await bound('c.example.org');
      gateway.unbindResults.set('b.example.org', 'no-support');
      gateway.unbindResults.set('c.example.org', unavailable('c.example.org'));
      await expect(service.unbind(ALICE, 'email', 'alice@example.org')).rejects.toMatchObject({ status: 502 });
      expect(events.events).toEqual([
        new ThreePidUnboundEvent(ALICE, 'email', 'alice@example.org', 'a.example.org', 'success', t0),
        new ThreePidUnboundEvent(ALICE, 'email', 'alice@example.org', 'b.example.org', 'no-support', t0),
      ]);
    });
  });

  describe('what it counts, for the metrics', () => {
    let metrics: RecordingThreePidMetrics;
    beforeEach(() => {
      metrics = new RecordingThreePidMetrics();
      service = new IdentityServerService(gateway, bindings, new FixedClock(t0), { ...OPTIONS, identityServers: { allowlist: [] } }, events, metrics);
    });

    it('counts each call by operation and outcome, with how long it took', async () => {
      await service.bind(ALICE, bindCommand);
      gateway.unbindResults.set('b.example.org', 'no-support');
      await bound('b.example.org');
      await service.unbind(ALICE, 'email', 'alice@example.org');
      gateway.validated = { medium: 'email', address: 'alice@example.org', validatedAt: t0 };
      await service.confirmedThreePid('id.example.org', bindCommand);
      // The two unbinds run at once, and are counted as each ends.
      expect([...metrics.counted].sort()).toEqual([
        'identityServerCall bind success',
        'identityServerCall get_validated_3pid success',
        'identityServerCall unbind no_support',
        'identityServerCall unbind success',
      ]);
      expect(metrics.seconds.every((seconds) => Number.isFinite(seconds) && seconds >= 0)).toBe(true);
    });

    it.each([
      ['refused', new IdentityServerRefusedError(403, 'M_TERMS_NOT_SIGNED', 'terms')],
      ['unreachable', new IdentityServerUnavailableError('unreachable', IdServer.parse('id.example.org'))],
      ['timeout', new IdentityServerUnavailableError('timeout', IdServer.parse('id.example.org'))],
      ['failed', new IdentityServerUnavailableError('failed', IdServer.parse('id.example.org'), 'HTTP 500')],
      ['invalid_answer', new IdentityServerUnavailableError('invalid-answer', IdServer.parse('id.example.org'))],
      ['not_trusted', new IdServerNotTrustedError('id.example.org')],
      ['error', new Error('a bug')],
    ])('counts a call that failed as %s', async (outcome, error) => {
      gateway.association = error;
      await expect(service.bind(ALICE, bindCommand)).rejects.toBe(error);
      expect(metrics.counted).toEqual([`identityServerCall bind ${outcome}`]);
    });

    it("counts an answer this homeserver cannot use (another user bound) as invalid_answer, and a refusal before any request as nothing", async () => {
      gateway.association = { medium: 'email', address: 'alice@example.org', mxid: '@mallory:example.org' };
      await expect(service.bind(ALICE, bindCommand)).rejects.toMatchObject({ status: 502 });
      service = new IdentityServerService(gateway, bindings, new FixedClock(t0), { ...OPTIONS, identityServers: { allowlist: ['id.example.org'] } }, events, metrics);
      await expect(service.bind(ALICE, { ...bindCommand, idServer: 'other.example.org' })).rejects.toMatchObject({ errcode: 'M_SERVER_NOT_TRUSTED' });
      expect(metrics.counted).toEqual(['identityServerCall bind invalid_answer']);
    });
  });
});
