import { ThreePidRepository } from '../../src/threepid/domain/ports/three-pid.repository';
import { aThreePid } from '../builders/three-pid.builder';
import { DATABASE_KINDS } from '../support/databases';
import { startTestApp, TestApp } from '../support/test-app';

const THREEPIDS = '/_matrix/client/v3/account/3pid';

describe.each(DATABASE_KINDS)('GET /account/3pid [%s]', (kind) => {
  let t: TestApp;
  let aliceToken: string;
  let bobToken: string;
  beforeAll(async () => {
    t = await startTestApp(kind);
    aliceToken = await t.login('alice');
    bobToken = await t.login('bob');
    const threePids = t.app.get<ThreePidRepository>(ThreePidRepository);
    // Millisecond timestamps beyond 2^32, to prove BIGINT columns come back as exact integers.
    await threePids.add(aThreePid().forUser('@alice:test.local').email('alice@example.org').at(1_700_000_000_123, 1_700_000_100_456).build());
    await threePids.add(aThreePid().forUser('@alice:test.local').msisdn('447700900123').at(1_700_000_200_000, 1_700_000_300_000).build());
    await threePids.add(aThreePid().forUser('@bob:test.local').email('bob@example.org').build());
  });
  afterAll(async () => {
    await t.close();
  });

  it("lists exactly the caller's 3PIDs, with integer millisecond timestamps", async () => {
    const response = await t.http().get(THREEPIDS).auth(aliceToken, { type: 'bearer' }).expect(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.body).toEqual({
      threepids: [
        { medium: 'email', address: 'alice@example.org', validated_at: 1_700_000_000_123, added_at: 1_700_000_100_456 },
        { medium: 'msisdn', address: '447700900123', validated_at: 1_700_000_200_000, added_at: 1_700_000_300_000 },
      ],
    });
  });

  it("does not show another user's 3PIDs", async () => {
    const response = await t.http().get(THREEPIDS).auth(bobToken, { type: 'bearer' }).expect(200);
    expect(response.body.threepids.map((t: { address: string }) => t.address)).toEqual(['bob@example.org']);
  });

  it('answers an empty list for a user without 3PIDs', async () => {
    const carolToken = await t.login('carol');
    const response = await t.http().get(THREEPIDS).query({ access_token: carolToken }).expect(200);
    expect(response.body).toEqual({ threepids: [] });
  });

  it('requires an access token', async () => {
    const response = await t.http().get(THREEPIDS).expect(401);
    expect(response.body.errcode).toBe('M_MISSING_TOKEN');
  });

  it('keeps an address on one account only', async () => {
    const threePids = t.app.get<ThreePidRepository>(ThreePidRepository);
    await expect(threePids.add(aThreePid().forUser('@bob:test.local').email('alice@example.org').build())).rejects.toMatchObject({
      errcode: 'M_THREEPID_IN_USE',
    });
  });
});

describe.each(DATABASE_KINDS)('versions and capabilities [%s]', (kind) => {
  it('lists the supported spec versions without authentication', async () => {
    const t = await startTestApp(kind);
    try {
      const response = await t.http().get('/_matrix/client/versions').expect(200);
      expect(response.body.versions).toEqual(expect.arrayContaining(['v1.1', 'v1.12']));
      // Only /v3 paths are served, so no r0 version is claimed.
      expect(response.body.versions.filter((v: string) => v.startsWith('r0'))).toEqual([]);
      expect(response.body.unstable_features).toEqual({});
    } finally {
      await t.close();
    }
  });

  it.each([
    ['true', true],
    ['false', false],
  ])('reports m.3pid_changes enabled=%s from THREEPID_CHANGES_ENABLED', async (setting, enabled) => {
    const t = await startTestApp(kind, { THREEPID_CHANGES_ENABLED: setting });
    try {
      const token = await t.login('alice');
      const response = await t.http().get('/_matrix/client/v3/capabilities').auth(token, { type: 'bearer' }).expect(200);
      expect(response.body.capabilities['m.3pid_changes']).toEqual({ enabled });
      await t.http().get('/_matrix/client/v3/capabilities').expect(401);
    } finally {
      await t.close();
    }
  });
});
