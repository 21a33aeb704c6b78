import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';

/** The Matrix spec slice lives outside the project (../shared/spec); SPEC_DIR overrides. */
export const SPEC_DIR = resolve(process.env.SPEC_DIR ?? join(__dirname, '..', '..', '..', 'shared', 'spec'));

export interface SpecOperation {
  operationId: string;
  summary: string;
  tags: string[];
  deprecated?: boolean;
  security?: Record<string, string[]>[];
}

/** Every Client-Server operation in the spec, keyed `METHOD /full/path`. */
export function loadClientServerOperations(): Map<string, SpecOperation> {
  const dir = join(SPEC_DIR, 'api', 'client-server');
  const operations = new Map<string, SpecOperation>();
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.yaml'))) {
    const document = parse(readFileSync(join(dir, file), 'utf8'));
    const basePath: string = document.servers?.[0]?.variables?.basePath?.default ?? '';
    for (const [path, methods] of Object.entries<Record<string, SpecOperation>>(document.paths ?? {})) {
      for (const [method, operation] of Object.entries(methods)) {
        operations.set(`${method.toUpperCase()} ${basePath}${path}`, operation);
      }
    }
  }
  return operations;
}

/** A JSON Schema, as the spec and our OpenAPI document write them (the parts the checks read). */
export interface Schema {
  type?: string;
  format?: string;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  allOf?: Schema[];
  additionalProperties?: boolean | Schema;
  $ref?: string;
  [keyword: string]: unknown;
}

export interface OpenApiOperation {
  operationId: string;
  deprecated?: boolean;
  security?: Record<string, string[]>[];
  requestBody?: { required?: boolean; content: Record<string, { schema: Schema }> };
  responses: Record<string, { description?: string; content?: Record<string, { schema: Schema }> }>;
}

/** One operation of a spec file, with every `$ref` (to other files too) replaced by what it points at. */
export interface ResolvedSpecOperation {
  /** `POST /_matrix/client/v3/account/3pid/add`. */
  key: string;
  method: string;
  path: string;
  operation: OpenApiOperation;
}

/** Every operation of a Client-Server spec file, e.g. `administrative_contact.yaml`, references resolved. */
export function loadSpecOperations(file: string): ResolvedSpecOperation[] {
  const path = join(SPEC_DIR, 'api', 'client-server', file);
  const document = resolveRefs(readYaml(path), path) as {
    servers?: { variables?: { basePath?: { default?: string } } }[];
    paths: Record<string, Record<string, OpenApiOperation>>;
  };
  const basePath = document.servers?.[0]?.variables?.basePath?.default ?? '';
  return Object.entries(document.paths).flatMap(([route, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({
      key: `${method.toUpperCase()} ${basePath}${route}`,
      method,
      path: `${basePath}${route}`,
      operation,
    })),
  );
}

/** A schema file of the spec (e.g. `definitions/errors/error.yaml`), references resolved. */
export function loadSpecSchema(file: string): Schema {
  const path = join(SPEC_DIR, 'api', 'client-server', file);
  return resolveRefs(readYaml(path), path) as Schema;
}

const yamlFiles = new Map<string, unknown>();

function readYaml(path: string): unknown {
  if (!yamlFiles.has(path)) yamlFiles.set(path, parse(readFileSync(path, 'utf8')));
  return yamlFiles.get(path);
}

/**
 * Replaces each `{$ref: "file.yaml#/pointer"}` (relative to the file it is in) with a copy of what
 * it points at; keywords beside the `$ref` (a description) are kept, as OpenAPI 3.1 allows.
 */
function resolveRefs(node: unknown, file: string): unknown {
  if (Array.isArray(node)) return node.map((item) => resolveRefs(item, file));
  if (node === null || typeof node !== 'object') return node;
  const { $ref, ...rest } = node as Record<string, unknown>;
  const resolved = Object.fromEntries(Object.entries(rest).map(([key, value]) => [key, resolveRefs(value, file)]));
  if (typeof $ref !== 'string') return resolved;
  const [target, pointer = ''] = $ref.split('#');
  const targetFile = target ? resolve(dirname(file), target) : file;
  const pointed = pointer
    .split('/')
    .filter(Boolean)
    .reduce<unknown>((value, token) => (value as Record<string, unknown>)[token.replace(/~1/g, '/').replace(/~0/g, '~')], readYaml(targetFile));
  return { ...(resolveRefs(pointed, targetFile) as object), ...resolved };
}
