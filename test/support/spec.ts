import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
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
