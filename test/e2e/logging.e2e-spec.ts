import { DATABASE_KINDS } from '../support/databases';
import { startTestApp, TestApp } from '../support/test-app';

describe.each(DATABASE_KINDS)('logs [%s]', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(async () => {
    await t.close();
  });

  it('are JSON lines that never contain a password, an access token or the access_token query value', async () => {
    const password = 'pw-that-must-never-be-logged-7f3a';
    await t.createUser('dave', password);
    const login = await t
      .http()
      .post('/_matrix/client/v3/login')
      .send({ type: 'm.login.password', user: 'dave', password })
      .expect(200);
    const token: string = login.body.access_token;
    await t.http().get('/_matrix/client/v3/account/whoami').query({ access_token: token }).expect(200);
    await t.http().get('/_matrix/client/v3/account/3pid').auth(token, { type: 'bearer' }).expect(200);
    await t.http().post('/_matrix/client/v3/login').send({ type: 'm.login.password', user: 'dave', password: `${password}-wrong` }).expect(403);
    await t.http().get('/nowhere').query({ access_token: token }).expect(404);
    // The router decodes parameter names, so this spelling authenticates too; the log must not show it either.
    await t.http().get(`/_matrix/client/v3/account/whoami?access%5Ftoken=${token}`).expect(200);

    const lines = t.logs.map((line) => JSON.parse(line));
    const requestLines = lines.filter((line) => line.msg === 'request completed');
    expect(requestLines.map((line) => line.url)).toEqual(
      expect.arrayContaining([
        '/_matrix/client/v3/account/whoami?access_token=<redacted>',
        '/nowhere?access_token=<redacted>',
        '/_matrix/client/v3/account/whoami?access%5Ftoken=<redacted>',
      ]),
    );
    expect(requestLines.find((line) => line.url === '/_matrix/client/v3/login' && line.status === 403)).toBeDefined();
    const everything = t.logs.join('\n');
    expect(everything).not.toContain(password);
    expect(everything).not.toContain(token);
  });
});
