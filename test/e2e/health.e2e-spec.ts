import { DataSource } from 'typeorm';
import { DATABASE_KINDS } from '../support/databases';
import { startTestApp, TestApp } from '../support/test-app';

describe.each(DATABASE_KINDS)('health and unexpected failures [%s]', (kind) => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await startTestApp(kind);
    token = await t.login('alice');
  });
  afterAll(async () => {
    await t.close();
  });

  it('reports 200 while the database answers', async () => {
    const response = await t.http().get('/health').expect(200);
    expect(response.body).toMatchObject({ status: 'ok', info: { database: { status: 'up' } } });
  });

  describe('once the database is gone', () => {
    beforeAll(async () => {
      await t.app.get(DataSource).destroy();
    });

    it('reports 503', async () => {
      const response = await t.http().get('/health').expect(503);
      expect(response.body).toMatchObject({ status: 'error', error: { database: { status: 'down' } } });
    });

    it('answers other requests 500 M_UNKNOWN with no internals, and logs the cause server-side', async () => {
      const response = await t.http().get('/_matrix/client/v3/account/3pid').auth(token, { type: 'bearer' }).expect(500);
      expect(response.body).toEqual({ errcode: 'M_UNKNOWN', error: 'Internal server error' });
      const logged = t.logs.map((line) => JSON.parse(line)).find((line) => line.msg === 'Unhandled error while serving a request');
      expect(logged).toMatchObject({ level: 50, url: '/_matrix/client/v3/account/3pid', err: { message: expect.any(String) } });
    });
  });
});
