import { ThreePidRepository } from '../../src/threepid/domain/ports/three-pid.repository';
import { aThreePid } from '../builders/three-pid.builder';
import { LOGIN } from '../support/client';
import { DATABASE_KINDS } from '../support/databases';
import { startTestApp, TEST_PASSWORD, TestApp } from '../support/test-app';

const LIMIT = 5;

/**
 * The wrong-password limit must not tell who owns an address: the 429 is decided by what was typed
 * (the canonical address, or the user ID), so that failures given with one identifier never show
 * through another, and every spelling of one address, on an account or not, shares one count.
 */
describe.each(DATABASE_KINDS)('the wrong-password limit tells nothing about who owns what [%s]', (kind) => {
  let t: TestApp;
  const login = (identifier: Record<string, unknown>, password: string) =>
    t.http().post(LOGIN).send({ type: 'm.login.password', identifier, password });
  const byUser = (user: string) => ({ type: 'm.id.user', user });
  const byEmail = (address: string) => ({ type: 'm.id.thirdparty', medium: 'email', address });
  /** What a wrong and then the right password get, given with `identifier`. */
  const answers = async (identifier: Record<string, unknown>) => [
    (await login(identifier, 'not the password')).status,
    (await login(identifier, TEST_PASSWORD)).status,
  ];

  beforeAll(async () => {
    t = await startTestApp(kind, { RATE_LIMIT_FAILED_PASSWORDS: `${LIMIT}/600s` });
    const threePids = t.app.get<ThreePidRepository>(ThreePidRepository);
    for (const user of ['olive', 'nora', 'pete', 'paula', 'rita']) await t.createUser(user, TEST_PASSWORD);
    await threePids.add(aThreePid().forUser('@olive:test.local').email('olive@example.org').build());
    await threePids.add(aThreePid().forUser('@pete:test.local').msisdn('447700900555').build());
    await threePids.add(aThreePid().forUser('@rita:test.local').email('rita@example.org').build());
  });
  afterAll(async () => {
    await t.close();
  });

  it("answers the owner's m.id.user login, after wrong passwords given with the owner's address, exactly as anyone else's", async () => {
    const guesses = [];
    for (let i = 0; i <= LIMIT; i++) guesses.push((await login(byEmail('olive@example.org'), 'guess')).status);
    expect(guesses).toEqual([...Array<number>(LIMIT).fill(403), 429]);
    expect({ owner: await answers(byUser('olive')), other: await answers(byUser('nora')) }).toEqual({ owner: [403, 200], other: [403, 200] });
  });

  it('answers likewise after wrong passwords given with the owner\'s phone number (m.id.phone)', async () => {
    for (let i = 0; i < LIMIT; i++) await login({ type: 'm.id.phone', country: 'GB', phone: '07700 900555' }, 'guess').expect(403);
    await login({ type: 'm.id.phone', country: 'GB', phone: '+44 7700 900555' }, 'guess').expect(429);
    // The same number as m.id.thirdparty is what was typed too: one count.
    await login({ type: 'm.id.thirdparty', medium: 'msisdn', address: '447700900555' }, 'guess').expect(429);
    expect({ owner: await answers(byUser('pete')), other: await answers(byUser('paula')) }).toEqual({ owner: [403, 200], other: [403, 200] });
  });

  it('counts every spelling of an address on no account under one count, as for an address on an account', async () => {
    const spellings = ['Free@example.org', 'FREE@EXAMPLE.ORG', 'free@ｅxample.org', ' free@example.org ', 'free@EXAMPLE。org'];
    const registered = spellings.map((spelling) => spelling.replace(/free/i, (free) => (free === 'free' ? 'rita' : 'RITA')));
    const statuses = async (addresses: string[]) => {
      const seen = [];
      for (const address of [...addresses, addresses[0]]) seen.push((await login(byEmail(address), 'guess')).status);
      return seen;
    };
    const free = await statuses(spellings);
    const taken = await statuses(registered);
    expect({ free, taken }).toEqual({ free: [...Array<number>(LIMIT).fill(403), 429], taken: [...Array<number>(LIMIT).fill(403), 429] });
    const [freeLimited, takenLimited] = [await login(byEmail('free@example.org'), 'guess'), await login(byEmail('rita@example.org'), 'guess')];
    expect(freeLimited.body).toEqual({ ...takenLimited.body, retry_after_ms: expect.any(Number) });
  });

  it('still limits an account by its user ID', async () => {
    const guesses = [];
    for (let i = 0; i <= LIMIT; i++) guesses.push((await login(byUser('@NORA:test.local'), 'guess')).status);
    expect(guesses).toEqual([...Array<number>(LIMIT).fill(403), 429]);
    await login(byUser('nora'), TEST_PASSWORD).expect(429);
  });
});
