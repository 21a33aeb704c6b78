import { loadClientServerOperations } from '../support/spec';
import { startTestApp, TestApp } from '../support/test-app';

interface DocOperation {
  operationId: string;
  summary: string;
  tags: string[];
  security?: Record<string, string[]>[];
}

describe('OpenAPI document and Swagger UI', () => {
  let t: TestApp;
  let document: { paths: Record<string, Record<string, DocOperation>>; components: Record<string, Record<string, any>> };
  beforeAll(async () => {
    t = await startTestApp('sqlite');
    document = (await t.http().get('/docs-json').expect(200)).body;
  });
  afterAll(async () => {
    await t.close();
  });

  const matrixOperations = () =>
    Object.entries(document.paths)
      .filter(([path]) => path.startsWith('/_matrix/'))
      .flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, op })));

  it('documents the endpoints this issue delivers', () => {
    expect(matrixOperations().map((o) => o.key).sort()).toEqual(
      [
        'GET /_matrix/client/v3/account/3pid',
        'POST /_matrix/client/v3/account/3pid',
        'POST /_matrix/client/v3/account/3pid/add',
        'POST /_matrix/client/v3/account/3pid/delete',
        'POST /_matrix/client/v3/account/3pid/bind',
        'POST /_matrix/client/v3/account/3pid/unbind',
        'GET /_matrix/client/v3/account/whoami',
        'GET /_matrix/client/v3/capabilities',
        'GET /_matrix/client/v3/login',
        'POST /_matrix/client/v3/login',
        // The spec's session management, which the slice in ../shared/spec does not hold: checked below.
        'POST /_matrix/client/v3/logout',
        'POST /_matrix/client/v3/logout/all',
        'GET /_matrix/client/versions',
        'POST /_matrix/client/v3/account/3pid/email/requestToken',
        'POST /_matrix/client/v3/account/3pid/msisdn/requestToken',
        // Where tokens are submitted: not in the spec, at the unstable paths clients know from Synapse.
        'GET /_matrix/client/unstable/add_threepid/email/submit_token',
        'POST /_matrix/client/unstable/add_threepid/email/submit_token',
        'POST /_matrix/client/unstable/add_threepid/msisdn/submit_token',
        // The server's signing key, from the Server-Server API.
        'GET /_matrix/key/v2/server',
      ].sort(),
    );
  });

  it("gives every Client-Server operation the spec's operationId, summary and tags", () => {
    const spec = loadClientServerOperations();
    // The key endpoint belongs to the Server-Server API, and logout to a module, whose specs are not in the slice: checked below.
    const clientServer = matrixOperations().filter(
      (o) => !o.key.includes('/unstable/') && !o.key.includes(' /_matrix/key/') && !o.key.includes(' /_matrix/client/v3/logout'),
    );
    for (const { key, op } of clientServer) {
      const expected = spec.get(key);
      expect({ key, found: expected !== undefined }).toEqual({ key, found: true });
      expect({ key, operationId: op.operationId, summary: op.summary, tags: op.tags }).toEqual({
        key,
        operationId: expected!.operationId,
        summary: expected!.summary,
        tags: expected!.tags,
      });
    }
  });

  it("documents logout and logout/all as the spec's session management has them: operationIds, summaries, the access token, {} → {}", () => {
    const documented = ['/_matrix/client/v3/logout', '/_matrix/client/v3/logout/all'].map((path) => {
      const operation = document.paths[path].post as any;
      return {
        operationId: operation.operationId,
        summary: operation.summary,
        tags: operation.tags,
        security: operation.security,
        body: operation.requestBody,
        ok: operation.responses['200'].content['application/json'].schema,
        unauthorized: Object.keys(operation.responses).includes('401'),
      };
    });
    const common = { tags: ['Session management'], body: undefined, ok: expect.objectContaining({ type: 'object', properties: {} }), unauthorized: true };
    expect(documented).toEqual([
      { ...common, operationId: 'logout', summary: 'Invalidates a user access token', security: expect.arrayContaining([{ accessTokenBearer: [] }]) },
      { ...common, operationId: 'logout_all', summary: 'Invalidates all access tokens for a user', security: expect.arrayContaining([{ accessTokenBearer: [] }]) },
    ]);
  });

  it('documents the key endpoint under its own tag, as the Server-Server API names it, with no access token', () => {
    const operation = document.paths['/_matrix/key/v2/server'].get as any;
    expect({ operationId: operation.operationId, summary: operation.summary, tags: operation.tags }).toEqual({
      operationId: 'getServerKey',
      summary: "Get the homeserver's public key(s)",
      tags: ['Server keys'],
    });
    expect(operation.security).toBeUndefined();
    expect(operation.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/ServerKeyResponse' });
    const schema = document.components.schemas.ServerKeyResponse;
    expect(schema.required.sort()).toEqual(['old_verify_keys', 'server_name', 'signatures', 'valid_until_ts', 'verify_keys']);
    expect(schema.properties.verify_keys.additionalProperties).toEqual({ $ref: '#/components/schemas/VerifyKey' });
    expect(schema.properties.valid_until_ts).toMatchObject({ type: 'integer', format: 'int64' });
  });

  it("offers Authorize the header scheme only, as the spec declares it, and says in words that the query parameter works too", () => {
    expect(document.components.securitySchemes.accessTokenBearer).not.toHaveProperty('bearerFormat'); // opaque, not JWT
    expect(document.components.securitySchemes).toEqual({ accessTokenBearer: expect.objectContaining({ type: 'http', scheme: 'bearer' }) });
    expect(document.components.securitySchemes.accessTokenBearer.description).toMatch(/`access_token` query parameter/);
    const secured = matrixOperations().filter(({ op }) => op.security !== undefined);
    expect(secured).toHaveLength(10);
    for (const { key, op } of secured) expect({ key, security: op.security }).toEqual({ key, security: [{ accessTokenBearer: [] }] });
  });

  it('describes the 3PID list as the spec does: four required fields, integer timestamps', () => {
    const item = document.components.schemas.ThirdPartyIdentifier;
    expect(item.required.sort()).toEqual(['added_at', 'address', 'medium', 'validated_at']);
    expect(item.properties.validated_at).toMatchObject({ type: 'integer', format: 'int64' });
    expect(item.properties.added_at).toMatchObject({ type: 'integer', format: 'int64' });
    expect(item.properties.medium.enum).toEqual(['email', 'msisdn']);
  });

  it("requires the spec's requestToken fields, and documents the msisdn answer's extra fields", () => {
    const schemas = document.components.schemas;
    expect(schemas.EmailRequestTokenBody.required.sort()).toEqual(['client_secret', 'email', 'send_attempt']);
    expect(schemas.MsisdnRequestTokenBody.required.sort()).toEqual(['client_secret', 'country', 'phone_number', 'send_attempt']);
    expect(schemas.MsisdnRequestTokenResponse.required.sort()).toEqual(['intl_fmt', 'msisdn', 'sid', 'submit_url']);
    const emailOperation = document.paths['/_matrix/client/v3/account/3pid/email/requestToken'].post;
    expect(emailOperation.security).toBeUndefined(); // no access token: clients send none
  });

  it('documents User-Interactive Authentication on /3pid/add as the spec does: auth in the body, the 401 flows', () => {
    const schemas = document.components.schemas;
    const add = document.paths['/_matrix/client/v3/account/3pid/add'].post as any;
    expect(add.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/AddThreePidBody' });
    expect(schemas.AddThreePidBody.required.sort()).toEqual(['client_secret', 'sid']);
    expect(schemas.AddThreePidBody.properties.auth.allOf).toEqual([{ $ref: '#/components/schemas/AuthenticationData' }]);
    expect(Object.keys(schemas.AuthenticationData.properties)).toEqual(expect.arrayContaining(['type', 'session', 'identifier', 'password']));
    expect(add.responses['401'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/AuthenticationResponse' });
    expect(schemas.AuthenticationResponse.required).toEqual(['flows']);
    expect(Object.keys(add.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403', '429']));
  });

  it('marks the old POST /account/3pid deprecated and documents /3pid/delete with its medium enum and result', () => {
    const schemas = document.components.schemas;
    const deprecated = document.paths['/_matrix/client/v3/account/3pid'].post as any;
    expect(deprecated.deprecated).toBe(true);
    expect(schemas.DeprecatedAddThreePidBody.required).toEqual(['three_pid_creds']);
    expect(deprecated.responses['403'].description).toContain('M_THREEPID_AUTH_FAILED');
    expect(schemas.DeleteThreePidBody.required.sort()).toEqual(['address', 'medium']);
    expect(schemas.DeleteThreePidBody.properties.medium.enum).toEqual(['email', 'msisdn']);
    expect(schemas.DeleteThreePidResponse.properties.id_server_unbind_result.enum).toEqual(['no-support', 'success']);
  });

  it("documents /3pid/bind and /3pid/unbind with the spec's bodies, the access token, and the identity server's failures", () => {
    const schemas = document.components.schemas;
    const bind = document.paths['/_matrix/client/v3/account/3pid/bind'].post as any;
    const unbind = document.paths['/_matrix/client/v3/account/3pid/unbind'].post as any;
    for (const operation of [bind, unbind]) {
      expect(operation.security).toEqual([{ accessTokenBearer: [] }]);
      expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '502', '504']));
    }
    expect(bind.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/BindThreePidBody' });
    expect(schemas.BindThreePidBody.required.sort()).toEqual(['client_secret', 'id_access_token', 'id_server', 'sid']);
    expect(unbind.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/DeleteThreePidBody' });
    expect(unbind.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/DeleteThreePidResponse' });
  });

  /** Swagger UI's *Try it out* sends these as they are: a person exploring it is one of this API's users. */
  describe('examples a person can try as they are', () => {
    const operation = (path: string, method = 'post') => document.paths[path][method] as any;
    const bodyExamples = (path: string) => Object.values(operation(path).requestBody.content['application/json'].examples as Record<string, { value: any }>).map((e) => e.value);
    const parameterExample = (path: string, name: string) => operation(path, 'get').parameters.find((p: any) => p.name === name).schema.example;
    const errorExamples = (response: any): any[] => Object.values(response.content?.['application/json']?.examples ?? {}).map((e: any) => e.value);

    it('hold no "string" placeholder: every string field and parameter has an example, and every request body', () => {
      const missing: string[] = [];
      for (const [name, schema] of Object.entries(document.components.schemas)) {
        for (const [field, property] of Object.entries<any>(schema.properties ?? {})) {
          if (property.type === 'string' && property.enum === undefined && (property.example === undefined || property.example === 'string')) {
            missing.push(`${name}.${field}`);
          }
        }
      }
      for (const { key, op } of matrixOperations()) {
        for (const parameter of (op as any).parameters ?? []) if (parameter.schema?.example === undefined) missing.push(`${key} ?${parameter.name}`);
        const body = (op as any).requestBody?.content['application/json'];
        if (body && body.example === undefined && body.examples === undefined) missing.push(`${key} body`);
      }
      expect(missing).toEqual([]);
      expect(JSON.stringify(document)).not.toMatch(/"example":"string"|"value":"string"/);
    });

    it('go together as one validation session: the same sid and client_secret at requestToken, submit_token and /3pid/add', () => {
      const secrets = new Set<string>();
      const sids = new Set<string>();
      for (const path of ['/_matrix/client/v3/account/3pid/email/requestToken', '/_matrix/client/v3/account/3pid/msisdn/requestToken']) {
        for (const example of bodyExamples(path)) secrets.add(example.client_secret);
      }
      sids.add(document.components.schemas.RequestTokenResponse.properties.sid.example);
      sids.add(document.components.schemas.MsisdnRequestTokenResponse.properties.sid.example);
      for (const path of [
        '/_matrix/client/unstable/add_threepid/email/submit_token',
        '/_matrix/client/unstable/add_threepid/msisdn/submit_token',
        '/_matrix/client/v3/account/3pid/add',
      ]) {
        for (const example of bodyExamples(path)) {
          secrets.add(example.client_secret);
          sids.add(example.sid);
        }
      }
      secrets.add(parameterExample('/_matrix/client/unstable/add_threepid/email/submit_token', 'client_secret'));
      sids.add(parameterExample('/_matrix/client/unstable/add_threepid/email/submit_token', 'sid'));
      expect({ secrets: [...secrets], sids: [...sids] }).toEqual({ secrets: ['monkeys_are_GREAT'], sids: [expect.stringMatching(/^[A-Za-z0-9_-]{24}$/)] });
    });

    it('give the e-mail token as its link has it (32 characters), and the SMS code as six digits', () => {
      expect(bodyExamples('/_matrix/client/unstable/add_threepid/email/submit_token')).toEqual([expect.objectContaining({ token: expect.stringMatching(/^[A-Za-z0-9_-]{32}$/) })]);
      expect(parameterExample('/_matrix/client/unstable/add_threepid/email/submit_token', 'token')).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(bodyExamples('/_matrix/client/unstable/add_threepid/msisdn/submit_token')).toEqual([expect.objectContaining({ token: expect.stringMatching(/^\d{6}$/) })]);
    });

    it('start /3pid/add without auth, so that it answers the 401 with a session, and show the second request in the description', () => {
      const [first, second] = bodyExamples('/_matrix/client/v3/account/3pid/add');
      expect(Object.keys(first).sort()).toEqual(['client_secret', 'sid']);
      expect(second.auth).toEqual(expect.objectContaining({ type: 'm.login.password', session: expect.any(String), password: expect.any(String) }));
      expect(operation('/_matrix/client/v3/account/3pid/add').description).toMatch(/"auth": \{"type": "m.login.password", "session": "<the session from the 401>"/);
    });

    it('give every error status examples that fit the operation: errcodes its description names, token errors only where a token is taken', () => {
      const misfits: string[] = [];
      for (const { key, op } of matrixOperations()) {
        for (const [status, response] of Object.entries<any>((op as any).responses)) {
          if (Number(status) < 400 || !response.content?.['application/json']) continue;
          const examples = errorExamples(response);
          if (examples.length === 0) misfits.push(`${key} ${status}: no example`);
          for (const example of examples.filter((e) => e.errcode !== undefined)) {
            if (!response.description.includes(`\`${example.errcode}\``)) misfits.push(`${key} ${status}: ${example.errcode} is not in its description`);
            if (op.security === undefined && /_TOKEN$/.test(example.errcode)) misfits.push(`${key} ${status}: ${example.errcode} without an access token`);
          }
        }
      }
      expect(misfits).toEqual([]);
      // User-Interactive Authentication's first answer has no errcode (spec: auth_response.yaml).
      const [challenge] = errorExamples(operation('/_matrix/client/v3/account/3pid/add').responses['401']);
      expect(challenge).toEqual({ flows: [{ stages: ['m.login.password'] }], params: {}, session: expect.any(String) });
    });

    it("document 429 on every operation, login included, with retry_after_ms as the spec's rate_limited schema has it", () => {
      expect(document.components.schemas.RateLimitedErrorResponse.properties.retry_after_ms).toMatchObject({ type: 'integer' });
      for (const { key, op } of matrixOperations()) {
        const limited = (op as any).responses['429'];
        expect({ key, schema: limited?.content['application/json'].schema }).toEqual({ key, schema: { $ref: '#/components/schemas/RateLimitedErrorResponse' } });
        expect({ key, examples: errorExamples(limited).map((e) => typeof e.retry_after_ms) }).toEqual({ key, examples: expect.arrayContaining(['number']) });
        for (const example of errorExamples(limited)) expect({ key, errcode: example.errcode, retry: typeof example.retry_after_ms }).toEqual({ key, errcode: 'M_LIMIT_EXCEEDED', retry: 'number' });
      }
      expect(operation('/_matrix/client/v3/login').responses['429'].description).toMatch(/wrong passwords/);
    });
  });

  it('serves Swagger UI at /docs', async () => {
    const page = await t.http().get('/docs').redirects(1).expect(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.text).toContain('swagger-ui');
  });
});
