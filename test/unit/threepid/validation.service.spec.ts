import { ConsoleLogger, Logger } from '@nestjs/common';
import { ValidationService } from '../../../src/threepid/application/validation.service';
import { ThreePidModuleOptions } from '../../../src/threepid/three-pid.options';
import { FixedClock } from '../../fakes/auth.fakes';
import { CountingRateLimiter } from '../../fakes/rate-limiter.fake';
import {
  InMemoryThreePidRepository,
  InMemoryValidationSessionRepository,
  RecordingEmailSender,
  RecordingSmsSender,
} from '../../fakes/threepid.fakes';

const OPTIONS: ThreePidModuleOptions = {
  changesEnabled: true,
  serverName: 'example.org',
  publicBaseUrl: 'https://matrix.example.org',
  media: ['email', 'msisdn'],
  allowlist: [],
  lifetimes: { tokenMs: 3_600_000, sessionMs: 86_400_000 },
  email: { from: 'noreply@example.org' },
  sms: {},
};

describe(ValidationService.name, () => {
  // The service logs failed deliveries; these tests cause them on purpose.
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(new ConsoleLogger()));
  let sessions: InMemoryValidationSessionRepository;
  let email: RecordingEmailSender;
  let sms: RecordingSmsSender;
  let clock: FixedClock;
  let service: ValidationService;
  beforeEach(() => {
    sessions = new InMemoryValidationSessionRepository();
    email = new RecordingEmailSender();
    sms = new RecordingSmsSender();
    clock = new FixedClock();
    service = new ValidationService(sessions, new InMemoryThreePidRepository(), email, sms, clock, OPTIONS);
  });
  afterEach(() => {
    service.onModuleDestroy();
    jest.useRealTimers();
  });

  const request = { client: '203.0.113.7', clientSecret: 'secret', sendAttempt: 1, email: 'alice@example.org' };
  const tokenOf = (message = email.sent.at(-1)!) => new URL(message.text.match(/https:\S+/)![0]).searchParams.get('token')!;

  it('purges sessions past their lifetime every ten minutes once the application is up', async () => {
    jest.useFakeTimers({ now: clock.now() });
    const { sid: old } = await service.requestEmailToken(request);
    clock.advance(OPTIONS.lifetimes.sessionMs);
    const { sid: young } = await service.requestEmailToken({ ...request, email: 'bob@example.org' });
    clock.advance(1);

    service.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(10 * 60_000 - 1);
    expect(sessions.rows.has(old)).toBe(true);
    await jest.advanceTimersByTimeAsync(1);
    expect([sessions.rows.has(old), sessions.rows.has(young)]).toEqual([false, true]);
  });

  it('stops purging when the module is destroyed', async () => {
    jest.useFakeTimers();
    const purge = jest.spyOn(sessions, 'deleteCreatedBefore');
    service.onApplicationBootstrap();
    service.onModuleDestroy();
    await jest.advanceTimersByTimeAsync(60 * 60_000);
    expect(purge).not.toHaveBeenCalled();
  });

  it('still says the message was not sent when taking the token back fails too', async () => {
    email.failure = new Error('connection refused');
    sessions.failDeletes = true;
    await expect(service.requestEmailToken(request)).rejects.toMatchObject({ status: 500, errcode: 'M_UNKNOWN', message: expect.stringMatching(/could not be sent/) });
  });

  it('decides again when another request saved the session first', async () => {
    const { sid } = await service.requestEmailToken(request);
    sessions.conflictsToSimulate = 2;
    await expect(service.requestEmailToken({ ...request, sendAttempt: 2 })).resolves.toEqual({ sid });
    expect(email.sent).toHaveLength(2);

    sessions.conflictsToSimulate = 3;
    await expect(service.submitToken('email', { sid, clientSecret: 'secret', token: tokenOf() })).resolves.toMatchObject({ outcome: 'validated' });
    expect((await sessions.findBySid(sid))?.isValidated).toBe(true);
  });

  it('gives up, with an error, on a session that keeps changing under it', async () => {
    const { sid } = await service.requestEmailToken(request);
    sessions.conflictsToSimulate = 100;
    await expect(service.submitToken('email', { sid, clientSecret: 'secret', token: tokenOf() })).rejects.toThrow(/changed by another request/);
  });

  it('saves a wrong token before answering, so that it counts', async () => {
    const { sid } = await service.requestMsisdnToken({ client: '203.0.113.7', clientSecret: 'secret', sendAttempt: 1, country: 'GB', phoneNumber: '07700900123' });
    await expect(service.submitToken('msisdn', { sid, clientSecret: 'secret', token: 'wrong' })).rejects.toMatchObject({ errcode: 'M_TOKEN_INCORRECT' });
    expect(sessions.rows.get(sid)?.tokenFailures).toBe(1);
    expect(sms.sent).toHaveLength(1);
  });

  describe('the requestToken limit', () => {
    const limit = { limit: 2, windowMs: 600_000 };
    let limiter: CountingRateLimiter;
    let threePids: InMemoryThreePidRepository;
    beforeEach(() => {
      limiter = new CountingRateLimiter();
      threePids = new InMemoryThreePidRepository();
      service = new ValidationService(sessions, threePids, email, sms, clock, { ...OPTIONS, requestTokenLimit: limit }, limiter);
    });

    it('counts each request per client and per canonical address', async () => {
      await service.requestEmailToken({ ...request, email: ' Alice@EXAMPLE.org' });
      await service.requestMsisdnToken({ ...request, country: 'GB', phoneNumber: '07700 900123' });
      expect(limiter.calls).toEqual([
        { keys: ['request-token:client:203.0.113.7', 'request-token:email:alice@example.org'], limit },
        { keys: ['request-token:client:203.0.113.7', 'request-token:msisdn:447700900123'], limit },
      ]);
    });

    it('refuses past the limit with 429 before anything is stored or sent, whoever asks', async () => {
      await service.requestEmailToken({ ...request, client: '198.51.100.1' });
      await service.requestEmailToken({ ...request, client: '198.51.100.2', sendAttempt: 2 });
      const sessionsBefore = [...sessions.rows.values()];
      await expect(service.requestEmailToken({ ...request, client: '198.51.100.3', sendAttempt: 3 })).rejects.toMatchObject({
        status: 429,
        errcode: 'M_LIMIT_EXCEEDED',
        extra: { retry_after_ms: 600_000 },
      });
      expect(email.sent).toHaveLength(2);
      expect([...sessions.rows.values()]).toEqual(sessionsBefore);
    });

    it('counts addresses already in use like free ones, so that the 429 tells nothing', async () => {
      threePids.threePids.push({ userId: '@bob:example.org', medium: 'email', address: 'alice@example.org', validatedAt: 1, addedAt: 1 });
      await expect(service.requestEmailToken(request)).rejects.toMatchObject({ errcode: 'M_THREEPID_IN_USE' });
      expect(limiter.calls).toHaveLength(1);
    });

    it('does not count a request refused for what it is (a malformed address, a bad next_link)', async () => {
      await expect(service.requestEmailToken({ ...request, email: 'not an address' })).rejects.toMatchObject({ errcode: 'M_INVALID_PARAM' });
      await expect(service.requestEmailToken({ ...request, nextLink: 'javascript:alert(1)' })).rejects.toMatchObject({ errcode: 'M_INVALID_PARAM' });
      expect(limiter.calls).toEqual([]);
    });
  });
});
