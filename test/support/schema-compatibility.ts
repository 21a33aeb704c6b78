import type { Schema } from './spec';

/** Looks up a `#/components/schemas/…` reference of our OpenAPI document. */
export type Dereference = (ref: string) => Schema;

export const specHasNoRefs: Dereference = (ref) => {
  throw new Error(`unresolved $ref ${ref} in the spec`);
};

/** References resolved and `allOf` merged, all the way down, so that both sides compare as plain schemas. */
export function flatten(schema: Schema | undefined, dereference: Dereference): Schema {
  if (!schema) return {};
  const { $ref, allOf, ...own } = schema;
  const parts = [...($ref ? [flatten(dereference($ref), dereference)] : []), ...(allOf ?? []).map((part) => flatten(part, dereference)), own];
  const merged: Schema = {};
  for (const part of parts) {
    const { properties, required, ...keywords } = part;
    Object.assign(merged, keywords);
    if (properties) merged.properties = { ...merged.properties, ...properties };
    if (required) merged.required = [...new Set([...(merged.required ?? []), ...required])];
  }
  if (merged.properties) {
    merged.properties = Object.fromEntries(Object.entries(merged.properties).map(([name, property]) => [name, flatten(property, dereference)]));
  }
  if (merged.items) merged.items = flatten(merged.items, dereference);
  return merged;
}

/**
 * What our request schema does differently from the spec's, in ways a client following the spec
 * would notice: a field the spec has that we do not document, a different type, a spec value of
 * an enum we do not accept, a field the spec requires that we do not (unless `mayBeOptional`
 * says why), or a field we require that the spec does not.
 */
export function requestDifferences(spec: Schema, ours: Schema, where: string, mayBeOptional: (where: string) => boolean): string[] {
  const differences = typeDifferences(spec, ours, where);
  if (spec.enum && ours.enum) {
    const refused = spec.enum.filter((value) => !ours.enum!.includes(value));
    if (refused.length > 0) differences.push(`${where}: the spec's values ${JSON.stringify(refused)} are not accepted here`);
  }
  if (spec.items && ours.items) differences.push(...requestDifferences(spec.items, ours.items, `${where}[]`, mayBeOptional));
  const specRequired = spec.required ?? [];
  const ourRequired = ours.required ?? [];
  for (const [name, property] of Object.entries(spec.properties ?? {})) {
    const field = `${where}.${name}`;
    const ourProperty = ours.properties?.[name];
    if (!ourProperty) {
      differences.push(`${field}: in the spec, not documented here`);
      continue;
    }
    if (specRequired.includes(name) && !ourRequired.includes(name) && !mayBeOptional(field)) {
      differences.push(`${field}: required by the spec, optional here`);
    }
    differences.push(...requestDifferences(property, ourProperty, field, mayBeOptional));
  }
  for (const name of ourRequired.filter((name) => !specRequired.includes(name))) {
    differences.push(`${where}.${name}: required here, ${spec.properties?.[name] ? 'optional' : 'not even named'} in the spec`);
  }
  return differences;
}

/**
 * What our response schema does differently from the spec's, in ways a client following the spec
 * would notice: a field the spec promises that we do not, a different type, or enum values the
 * spec does not know. Fields the spec makes optional may go undocumented (we never send them).
 */
export function responseDifferences(spec: Schema, ours: Schema, where: string): string[] {
  const differences = typeDifferences(spec, ours, where);
  if (spec.enum && ours.enum) {
    const unknown = ours.enum.filter((value) => !spec.enum!.includes(value));
    if (unknown.length > 0) differences.push(`${where}: values ${JSON.stringify(unknown)} are not in the spec`);
  }
  if (spec.items && ours.items) differences.push(...responseDifferences(spec.items, ours.items, `${where}[]`));
  for (const name of spec.required ?? []) {
    if (!(ours.required ?? []).includes(name)) differences.push(`${where}.${name}: required by the spec, not promised here`);
  }
  for (const [name, property] of Object.entries(spec.properties ?? {})) {
    const ourProperty = ours.properties?.[name];
    if (ourProperty) differences.push(...responseDifferences(property, ourProperty, `${where}.${name}`));
  }
  return differences;
}

function typeDifferences(spec: Schema, ours: Schema, where: string): string[] {
  if (spec.type === undefined || spec.type === ours.type) return [];
  return [`${where}: type ${ours.type ?? '(none)'} here, ${spec.type} in the spec`];
}
