import { DATABASE_KINDS } from '../support/databases';
import { startTestApp, TestApp } from '../support/test-app';

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, PUT, DELETE, OPTIONS',
  'access-control-allow-headers': 'X-Requested-With, Content-Type, Authorization',
};
const LOGIN = '/_matrix/client/v3/login';

describe.each(DATABASE_KINDS)('HTTP conventions and Matrix errors [%s]', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(async () => {
    await t.close();
  });

  const expectMatrixError = (response: { status: number; body: unknown; headers: Record<string, string> }, status: number, errcode: string) => {
    expect(response.status).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.body).toEqual({ errcode, error: expect.any(String) });
  };

  describe('request bodies', () => {
    it('answers invalid JSON with 400 M_NOT_JSON', async () => {
      const response = await t.http().post(LOGIN).set('Content-Type', 'application/json').send('{"type": ');
      expectMatrixError(response, 400, 'M_NOT_JSON');
    });

    it('answers a POST without a body with 400 M_NOT_JSON', async () => {
      expectMatrixError(await t.http().post(LOGIN), 400, 'M_NOT_JSON');
    });

    it('answers an empty JSON body with 400 M_NOT_JSON', async () => {
      expectMatrixError(await t.http().post(LOGIN).set('Content-Type', 'application/json').send(''), 400, 'M_NOT_JSON');
    });

    it.each([['[]'], ['"text"'], ['42'], ['null']])('answers JSON %s, which is not an object, with 400 M_BAD_JSON', async (json) => {
      const response = await t.http().post(LOGIN).set('Content-Type', 'application/json').send(json);
      expectMatrixError(response, 400, 'M_BAD_JSON');
    });

    it('answers a field of the wrong type with 400 M_BAD_JSON, without coercing it', async () => {
      expectMatrixError(await t.http().post(LOGIN).send({ type: 1 }), 400, 'M_BAD_JSON');
      expectMatrixError(await t.http().post(LOGIN).send({ type: 'm.login.password', identifier: 'alice' }), 400, 'M_BAD_JSON');
      expectMatrixError(await t.http().post(LOGIN).send({ type: 'm.login.password', refresh_token: 'true' }), 400, 'M_BAD_JSON');
    });

    it('answers a missing required field with 400 M_MISSING_PARAM naming it', async () => {
      const response = await t.http().post(LOGIN).send({ password: 'x' });
      expectMatrixError(response, 400, 'M_MISSING_PARAM');
      expect(response.body.error).toContain('type');
    });

    it('answers a missing field inside a nested object with 400 M_MISSING_PARAM', async () => {
      const response = await t.http().post(LOGIN).send({ type: 'm.login.password', identifier: { user: 'a' }, password: 'x' });
      expectMatrixError(response, 400, 'M_MISSING_PARAM');
      expect(response.body.error).toContain('identifier.type');
    });

    it('answers a well-typed but unacceptable value with 400 M_INVALID_PARAM', async () => {
      const response = await t.http().post(LOGIN).send({ type: 'm.login.password', user: 'a', password: 'x', device_id: 'D'.repeat(256) });
      expectMatrixError(response, 400, 'M_INVALID_PARAM');
    });

    it('answers a body that is not UTF-8 with 400 M_NOT_JSON', async () => {
      const body = Buffer.concat([Buffer.from('{"type": "m.login.password", "user": "'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
      // (supertest would re-encode a Buffer declared as application/json; the server ignores the type anyway)
      expectMatrixError(await t.http().post(LOGIN).set('Content-Type', 'text/plain').send(body), 400, 'M_NOT_JSON');
    });

    it('answers JSON nested absurdly deep with 400 M_BAD_JSON', async () => {
      const deep = `{"type": "m.login.password", "x": ${'{"a":'.repeat(4000)}1${'}'.repeat(4000)}}`;
      expectMatrixError(await t.http().post(LOGIN).set('Content-Type', 'application/json').send(deep), 400, 'M_BAD_JSON');
    });

    it('treats null in an optional field as absent', async () => {
      const response = await t.http().post(LOGIN).send({ type: 'm.login.password', user: null, password: null });
      expectMatrixError(response, 400, 'M_MISSING_PARAM');
    });

    it('parses JSON whatever the Content-Type, since clients need not send one', async () => {
      const response = await t.http().post(LOGIN).set('Content-Type', 'text/plain').send('{"type": "m.login.password", "user": "nobody", "password": "x"}');
      expectMatrixError(response, 403, 'M_FORBIDDEN');
    });

    it('answers a body over the configured limit with 413 M_TOO_LARGE', async () => {
      const big = JSON.stringify({ type: 'm.login.password', password: 'x'.repeat(t.config.http.maxRequestBodyBytes) });
      expectMatrixError(await t.http().post(LOGIN).set('Content-Type', 'application/json').send(big), 413, 'M_TOO_LARGE');
    });
  });

  describe('routing', () => {
    it('answers an unknown path with 404 M_UNRECOGNIZED', async () => {
      expectMatrixError(await t.http().get('/_matrix/client/v3/no/such/endpoint'), 404, 'M_UNRECOGNIZED');
    });

    it('answers a known path with the wrong method with 405 M_UNRECOGNIZED and an Allow header', async () => {
      const response = await t.http().delete('/_matrix/client/v3/account/3pid');
      expectMatrixError(response, 405, 'M_UNRECOGNIZED');
      expect(response.headers.allow).toContain('GET');
    });

    it('answers routing errors before body errors', async () => {
      expectMatrixError(await t.http().put('/nowhere').set('Content-Type', 'application/json').send('not json'), 404, 'M_UNRECOGNIZED');
      expectMatrixError(await t.http().delete(LOGIN).set('Content-Type', 'application/json').send('not json'), 405, 'M_UNRECOGNIZED');
    });

    it('decodes percent-escapes in the path before deciding between 404 and 405', async () => {
      await t.http().get('/_matrix/client/%76ersions').expect(200);
      expectMatrixError(await t.http().delete('/_matrix/client/%76ersions'), 405, 'M_UNRECOGNIZED');
    });

    it('answers a path that cannot be decoded as an unknown path, with CORS and without echoing it', async () => {
      const response = await t.http().get('/%zz?access_token=secret-token-value');
      expectMatrixError(response, 404, 'M_UNRECOGNIZED');
      expect(response.headers).toMatchObject(CORS);
      expect(response.text).not.toContain('secret-token-value');
    });

    it('does not echo the request URL (which may hold an access token) in a 404', async () => {
      const response = await t.http().get('/nowhere?access_token=secret-token-value');
      expect(JSON.stringify(response.body)).not.toContain('secret-token-value');
    });
  });

  describe('CORS (spec: Web Browser Clients)', () => {
    it('sends the CORS headers on successful responses', async () => {
      const response = await t.http().get('/_matrix/client/versions').expect(200);
      expect(response.headers).toMatchObject(CORS);
    });

    it('sends the CORS headers on error responses', async () => {
      const response = await t.http().get('/_matrix/client/v3/account/3pid').expect(401);
      expect(response.headers).toMatchObject(CORS);
    });

    it.each([['/_matrix/client/v3/account/3pid'], ['/_matrix/client/v3/login'], ['/any/path/at/all'], ['/%zz']])(
      'answers an OPTIONS preflight for %s without authentication or endpoint logic',
      async (path) => {
        const response = await t
          .http()
          .options(path)
          .set('Origin', 'https://app.example')
          .set('Access-Control-Request-Method', 'POST')
          .set('Access-Control-Request-Headers', 'authorization, content-type');
        expect(response.status).toBe(204);
        expect(response.headers).toMatchObject(CORS);
        expect(response.text).toBe('');
      },
    );

    it('answers OPTIONS before reading any body', async () => {
      const response = await t.http().options(LOGIN).set('Content-Type', 'application/json').send('not json');
      expect(response.status).toBe(204);
      expect(response.headers).toMatchObject(CORS);
    });
  });
});
