import { ConsoleLogger, Logger } from '@nestjs/common';
import { ValidationService } from '../../../src/threepid/application/validation.service';
import { ThreePidModuleOptions } from '../../../src/threepid/three-pid.options';
import { FixedClock } from '../../fakes/auth.fakes';
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

  const request = { clientSecret: 'secret', sendAttempt: 1, email: 'alice@example.org' };
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
    const { sid } = await service.requestMsisdnToken({ clientSecret: 'secret', sendAttempt: 1, country: 'GB', phoneNumber: '07700900123' });
    await expect(service.submitToken('msisdn', { sid, clientSecret: 'secret', token: 'wrong' })).rejects.toMatchObject({ errcode: 'M_TOKEN_INCORRECT' });
    expect(sessions.rows.get(sid)?.tokenFailures).toBe(1);
    expect(sms.sent).toHaveLength(1);
  });
});
