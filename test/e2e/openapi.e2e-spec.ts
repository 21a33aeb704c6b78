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
        'GET /_matrix/client/v3/account/whoami',
        'GET /_matrix/client/v3/capabilities',
        'GET /_matrix/client/v3/login',
        'POST /_matrix/client/v3/login',
        'GET /_matrix/client/versions',
      ].sort(),
    );
  });

  it("gives every Matrix operation the spec's operationId, summary and tags", () => {
    const spec = loadClientServerOperations();
    for (const { key, op } of matrixOperations()) {
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

  it('declares both access-token schemes and lets either authorise GET /account/3pid', () => {
    expect(document.components.securitySchemes.accessTokenBearer).not.toHaveProperty('bearerFormat'); // opaque, not JWT
    expect(document.components.securitySchemes).toEqual({
      accessTokenBearer: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
      accessTokenQuery: expect.objectContaining({ type: 'apiKey', in: 'query', name: 'access_token' }),
    });
    expect(document.paths['/_matrix/client/v3/account/3pid'].get.security).toEqual([{ accessTokenBearer: [] }, { accessTokenQuery: [] }]);
  });

  it('describes the 3PID list as the spec does: four required fields, integer timestamps', () => {
    const item = document.components.schemas.ThirdPartyIdentifier;
    expect(item.required.sort()).toEqual(['added_at', 'address', 'medium', 'validated_at']);
    expect(item.properties.validated_at).toMatchObject({ type: 'integer', format: 'int64' });
    expect(item.properties.added_at).toMatchObject({ type: 'integer', format: 'int64' });
    expect(item.properties.medium.enum).toEqual(['email', 'msisdn']);
  });

  it('serves Swagger UI at /docs', async () => {
    const page = await t.http().get('/docs').redirects(1).expect(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.text).toContain('swagger-ui');
  });
});
