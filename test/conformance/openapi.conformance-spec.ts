import { flatten, requestDifferences, responseDifferences, specHasNoRefs, type Dereference } from '../support/schema-compatibility';
import { loadSpecOperations, type OpenApiOperation, type Schema } from '../support/spec';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Where this server knowingly asks less of a request than the spec, and why. Anything else the
 * spec requires, it requires too.
 */
const OPTIONAL_HERE: Record<string, string> = {
  'post3PIDs body.three_pid_creds.id_server': 'a session of this homeserver needs no identity server (as in Synapse)',
  'post3PIDs body.three_pid_creds.id_access_token': 'the spec lets servers treat it as optional',
};

describe('the OpenAPI document (/docs-json) against every operation of administrative_contact.yaml', () => {
  let t: TestApp;
  let document: { paths: Record<string, Record<string, OpenApiOperation>>; components: { schemas: Record<string, Schema> } };
  let dereference: Dereference;
  beforeAll(async () => {
    t = await startTestApp('sqlite');
    document = (await t.http().get('/docs-json').expect(200)).body;
    dereference = (ref) => {
      const schema = document.components.schemas[ref.replace('#/components/schemas/', '')];
      if (!schema) throw new Error(`${ref} is not in the document`);
      return schema;
    };
  });
  afterAll(async () => {
    await t.close();
  });

  const operations = loadSpecOperations('administrative_contact.yaml');

  it('reads the whole spec file', () => {
    expect(operations.map((o) => o.operation.operationId).sort()).toEqual(
      ['add3PID', 'bind3PID', 'delete3pidFromAccount', 'getAccount3PIDs', 'post3PIDs', 'requestTokenTo3PIDEmail', 'requestTokenTo3PIDMSISDN', 'unbind3pidFromAccount'],
    );
  });

  describe.each(operations)('$key', ({ method, path, operation: spec }) => {
    const ours = () => document.paths[path]?.[method];
    const name = spec.operationId;

    it('is served under /_matrix/client/v3 with the same operationId, and deprecated only if the spec says so', () => {
      expect({ path, served: ours() !== undefined }).toEqual({ path, served: true });
      expect({ operationId: ours()!.operationId, deprecated: ours()!.deprecated === true }).toEqual({
        operationId: spec.operationId,
        deprecated: spec.deprecated === true,
      });
    });

    it("asks for the spec's security, or none when the spec has none", () => {
      if (!spec.security?.length) {
        expect(ours()!.security ?? []).toEqual([]);
        return;
      }
      expect(ours()!.security).toEqual(expect.arrayContaining(spec.security));
    });

    it("takes the spec's request body: its fields, their types, and what it requires", () => {
      if (!spec.requestBody) {
        expect(ours()!.requestBody).toBeUndefined();
        return;
      }
      const body = ours()!.requestBody;
      expect({ documented: body?.content['application/json'] !== undefined, required: body?.required === true }).toEqual({
        documented: true,
        required: spec.requestBody.required === true,
      });
      const differences = requestDifferences(
        flatten(spec.requestBody.content['application/json'].schema, specHasNoRefs),
        flatten(body!.content['application/json'].schema, dereference),
        `${name} body`,
        (field) => field in OPTIONAL_HERE,
      );
      expect(differences).toEqual([]);
    });

    it('documents every status the spec documents, each with a schema that promises what the spec promises', () => {
      const differences: string[] = [];
      for (const [status, response] of Object.entries(spec.responses)) {
        const ourResponse = ours()!.responses[status];
        if (!ourResponse) {
          differences.push(`${name} ${status}: not documented here`);
          continue;
        }
        const specSchema = response.content?.['application/json']?.schema;
        if (!specSchema) continue;
        const ourSchema = ourResponse.content?.['application/json']?.schema;
        if (!ourSchema) {
          differences.push(`${name} ${status}: no JSON schema here`);
          continue;
        }
        differences.push(...responseDifferences(flatten(specSchema, specHasNoRefs), flatten(ourSchema, dereference), `${name} ${status}`));
      }
      expect(differences).toEqual([]);
    });
  });
});
