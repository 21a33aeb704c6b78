import { ConsoleLogger, Logger } from '@nestjs/common';
import { ValidationMessages } from '../../../src/threepid/application/validation-messages';
import { ValidationService } from '../../../src/threepid/application/validation.service';
import { ThreePidPolicy } from '../../../src/threepid/domain/ports/three-pid-policy';
import { ThreePidValidatedEvent, ValidationRequestedEvent } from '../../../src/threepid/domain/three-pid.events';
import { ThreePidAllowlist } from '../../../src/threepid/domain/three-pid-policy';
import { ThreePidModuleOptions } from '../../../src/threepid/three-pid.options';
import { FixedClock } from '../../fakes/auth.fakes';
import { CountingRateLimiter } from '../../fakes/rate-limiter.fake';
import {
  FakeThreePidPolicy,
  InMemoryThreePidRepository,
  InMemoryValidationSessionRepository,
  RecordingEmailSender,
  RecordingEventPublisher,
  RecordingSmsSender,
  RecordingThreePidMetrics,
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
  let events: RecordingEventPublisher;
  let service: ValidationService;
  const serviceWith = (
    parts: { policy?: ThreePidPolicy; messages?: ValidationMessages; metrics?: RecordingThreePidMetrics; threePids?: InMemoryThreePidRepository; options?: ThreePidModuleOptions } = {},
  ) =>
    new ValidationService(
      sessions,
      parts.threePids ?? new InMemoryThreePidRepository(),
      email,
      sms,
      clock,
      parts.options ?? OPTIONS,
      parts.policy ?? new ThreePidAllowlist(OPTIONS.allowlist),
      parts.messages ?? new ValidationMessages(),
      events,
      undefined,
      parts.metrics,
    );
  beforeEach(() => {
    sessions = new InMemoryValidationSessionRepository();
    email = new RecordingEmailSender();
    sms = new RecordingSmsSender();
    clock = new FixedClock();
    events = new RecordingEventPublisher();
    service = serviceWith();
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

  it.each([
    ['a new session', 1],
    ['a session whose first message went out', 2],
  ])('undoes a validation made, in %s, with a token whose message then could not be sent; a retry sends again', async (_case, sendAttempt) => {
    if (sendAttempt > 1) await service.requestEmailToken(request);
    // The token is submitted while its message is being sent (a quick click), and then sending fails.
    email.sendHook = async (message) => {
      const link = new URL(message.text.match(/https:\S+/)![0]);
      await service.submitToken('email', { sid: link.searchParams.get('sid')!, clientSecret: 'secret', token: link.searchParams.get('token')! });
      throw new Error('connection reset');
    };
    await expect(service.requestEmailToken({ ...request, sendAttempt })).rejects.toMatchObject({ status: 500 });
    const [sid] = [...sessions.rows.keys()];
    expect(sessions.rows.get(sid)).toMatchObject({ validatedAt: undefined, validatedBy: undefined, pendingKey: expect.any(String) });

    email.sendHook = undefined;
    await expect(service.requestEmailToken({ ...request, sendAttempt })).resolves.toEqual({ sid });
    await service.submitToken('email', { sid, clientSecret: 'secret', token: tokenOf() });
    expect((await sessions.findBySid(sid))?.isValidated).toBe(true);
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
      const options = { ...OPTIONS, requestTokenLimit: limit };
      service = new ValidationService(sessions, threePids, email, sms, clock, options, new ThreePidAllowlist([]), new ValidationMessages(), events, limiter);
    });

    it('counts each request per client and per canonical address', async () => {
      await service.requestEmailToken({ ...request, email: ' Alice@EXAMPLE.org' });
      await service.requestMsisdnToken({ ...request, country: 'GB', phoneNumber: '07700 900123' });
      expect(limiter.calls).toEqual([
        {
          counts: [
            { limit: 'request_token_client', key: 'request-token:client:203.0.113.7' },
            { limit: 'request_token_address', key: 'request-token:email:alice@example.org' },
          ],
          limit,
        },
        {
          counts: [
            { limit: 'request_token_client', key: 'request-token:client:203.0.113.7' },
            { limit: 'request_token_address', key: 'request-token:msisdn:447700900123' },
          ],
          limit,
        },
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

    it('with inhibitInUseErrors, answers an address in use as a free one: a sid, counted alike, nothing sent or announced', async () => {
      const inhibited = new ValidationService(
        sessions,
        threePids,
        email,
        sms,
        clock,
        { ...OPTIONS, requestTokenLimit: limit, inhibitInUseErrors: true },
        new ThreePidAllowlist([]),
        new ValidationMessages(),
        events,
        limiter,
      );
      // One real send first, so that the pretended one waits about as long as that took (no time at all, here).
      await inhibited.requestEmailToken({ ...request, email: 'free@example.org' });
      threePids.threePids.push({ userId: '@bob:example.org', medium: 'email', address: 'alice@example.org', validatedAt: 1, addedAt: 1 });
      const [sent, announced] = [email.sent.length, events.events.length];

      const { sid } = await inhibited.requestEmailToken({ ...request, email: 'Alice@example.org' });
      expect(sid).toMatch(/^[0-9a-zA-Z_-]{24}$/);
      expect(limiter.calls).toHaveLength(2);
      expect({ sent: email.sent.length, announced: events.events.length }).toEqual({ sent, announced });
      // A repeat is a repeat, as for a free address; a token for the session is just a wrong one.
      await expect(inhibited.requestEmailToken({ ...request, client: '198.51.100.9', email: 'alice@example.org' })).resolves.toEqual({ sid });
      await expect(inhibited.submitToken('email', { sid, clientSecret: request.clientSecret, token: 'guess' })).rejects.toMatchObject({
        errcode: 'M_TOKEN_INCORRECT',
      });
      expect(email.sent.length).toBe(sent);
    });

    it('does not count a request refused for what it is (a malformed address, a bad next_link)', async () => {
      await expect(service.requestEmailToken({ ...request, email: 'not an address' })).rejects.toMatchObject({ errcode: 'M_INVALID_PARAM' });
      await expect(service.requestEmailToken({ ...request, nextLink: 'javascript:alert(1)' })).rejects.toMatchObject({ errcode: 'M_INVALID_PARAM' });
      expect(limiter.calls).toEqual([]);
    });
  });

  describe("the host's policy, templates and events", () => {
    const phone = { client: '203.0.113.7', clientSecret: 'secret', sendAttempt: 1, country: 'GB', phoneNumber: '07700900123' };

    it('asks the policy whether anyone may add the address (no user yet), and sends nothing when it may not', async () => {
      const policy = new FakeThreePidPolicy();
      policy.deniedAdditions.add('alice@example.org');
      service = serviceWith({ policy });
      await expect(service.requestEmailToken(request)).rejects.toMatchObject({ status: 403, errcode: 'M_THREEPID_DENIED' });
      expect(policy.asked).toEqual([{ question: 'mayAdd', candidate: { medium: 'email', address: 'alice@example.org' } }]);
      expect(email.sent).toEqual([]);
      expect(sessions.rows.size).toBe(0);
      expect(events.events).toEqual([]);
    });

    it('writes the messages from the templates it is given', async () => {
      service = serviceWith({
        messages: new ValidationMessages({ emailSubject: 'Confirm {{address}}', smsText: '{{code}} is your {{ server_name }} code' }),
      });
      await service.requestEmailToken(request);
      await service.requestMsisdnToken(phone);
      expect(email.sent[0].subject).toBe('Confirm alice@example.org');
      expect(email.sent[0].text).toContain('Someone asked to add this email address'); // the default text
      expect(sms.sent[0].body).toMatch(/^\d{6} is your example.org code$/);
    });

    it('announces a validation request once its message went out, and not again for a retry', async () => {
      clock.advance(1_000);
      const { sid } = await service.requestEmailToken(request);
      await service.requestEmailToken(request);
      expect(events.events).toEqual([new ValidationRequestedEvent(sid, 'email', 'alice@example.org', clock.now())]);
    });

    it('announces no validation request whose message could not be sent', async () => {
      sms.failure = new Error('gateway down');
      await expect(service.requestMsisdnToken(phone)).rejects.toMatchObject({ status: 500 });
      expect(events.events).toEqual([]);
    });

    it('announces a validation once, when the token first validates the session', async () => {
      const { sid } = await service.requestMsisdnToken(phone);
      const token = sms.sent[0].body.match(/\d{6}/)![0];
      await expect(service.submitToken('msisdn', { sid, clientSecret: 'secret', token: 'wrong' })).rejects.toMatchObject({ errcode: 'M_TOKEN_INCORRECT' });
      clock.advance(2_000);
      await service.submitToken('msisdn', { sid, clientSecret: 'secret', token });
      await expect(service.submitToken('msisdn', { sid, clientSecret: 'secret', token })).resolves.toMatchObject({ outcome: 'already-validated' });
      expect(events.events.slice(1)).toEqual([new ThreePidValidatedEvent(sid, 'msisdn', '447700900123', clock.now())]);
    });
  });

  describe('what it counts, for the metrics', () => {
    let metrics: RecordingThreePidMetrics;
    const phone = { client: '203.0.113.7', clientSecret: 'secret', sendAttempt: 1, country: 'GB', phoneNumber: '07700900123' };
    beforeEach(() => {
      metrics = new RecordingThreePidMetrics();
      service = serviceWith({ metrics });
    });

    it('counts a message sent and a session started, a new message but no new session for a higher send_attempt, nothing for a retry', async () => {
      const { sid } = await service.requestEmailToken(request);
      await service.requestEmailToken(request);
      await service.requestEmailToken({ ...request, sendAttempt: 2 });
      expect(metrics.counted).toEqual(['validationMessageSent email', 'validationSessionStarted email', 'validationMessageSent email']);
      await service.submitToken('email', { sid, clientSecret: 'secret', token: tokenOf() });
      await service.submitToken('email', { sid, clientSecret: 'secret', token: tokenOf() });
      expect(metrics.counted.slice(3)).toEqual(['validationSessionValidated email']);
    });

    it('counts a message that could not be sent as failed, and no session as started until one goes out', async () => {
      sms.failure = new Error('gateway down');
      await expect(service.requestMsisdnToken(phone)).rejects.toMatchObject({ status: 500 });
      expect(metrics.counted).toEqual(['validationMessageFailed msisdn']);
      sms.failure = undefined;
      await service.requestMsisdnToken(phone);
      expect(metrics.counted.slice(1)).toEqual(['validationMessageSent msisdn', 'validationSessionStarted msisdn']);
    });

    it('counts a session started once, when a retry sends the first message of a session a failed send left behind', async () => {
      // The token is submitted while its message is being sent, then sending fails: the session stays, unvalidated.
      email.sendHook = async (message) => {
        const link = new URL(message.text.match(/https:\S+/)![0]);
        await service.submitToken('email', { sid: link.searchParams.get('sid')!, clientSecret: 'secret', token: link.searchParams.get('token')! });
        throw new Error('connection reset');
      };
      await expect(service.requestEmailToken(request)).rejects.toMatchObject({ status: 500 });
      email.sendHook = undefined;
      const { sid } = await service.requestEmailToken(request);
      await service.requestEmailToken({ ...request, sendAttempt: 2 });
      expect([...sessions.rows.keys()]).toEqual([sid]);
      // The quick click counted as a validation, as its event was published; its rare undoing is not counted back.
      expect(metrics.counted).toEqual([
        'validationSessionValidated email',
        'validationMessageFailed email',
        'validationMessageSent email',
        'validationSessionStarted email',
        'validationMessageSent email',
      ]);
    });

    it('counts nothing for an address in use answered as a free one (THREEPID_INHIBIT_ERRORS): nothing was sent', async () => {
      const threePids = new InMemoryThreePidRepository();
      threePids.threePids.push({ userId: '@bob:example.org', medium: 'email', address: 'alice@example.org', validatedAt: 1, addedAt: 1 });
      jest.useFakeTimers();
      const inhibited = serviceWith({ metrics, threePids, options: { ...OPTIONS, inhibitInUseErrors: true } });
      const answer = inhibited.requestEmailToken(request);
      await jest.runAllTimersAsync();
      await expect(answer).resolves.toEqual({ sid: expect.any(String) });
      expect(metrics.counted).toEqual([]);
    });
  });
});
