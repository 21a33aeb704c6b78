import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate, ValidationError } from 'class-validator';
import { BadJsonError, InvalidParamError, MissingParamError, NotJsonError } from '../errors/matrix-error';
import { UnparsableBody } from './unparsable-body';

/** class-validator constraints that mean "this value has the wrong JSON type", not "a bad value". */
const TYPE_CONSTRAINTS = new Set([
  'isString',
  'isInt',
  'isNumber',
  'isBoolean',
  'isObject',
  'isArray',
  'nestedValidation',
]);

/** Deeper JSON than any Matrix request needs; refused before it can exhaust the stack. */
const MAX_JSON_DEPTH = 32;

/**
 * Validates request bodies against their DTO class and answers in Matrix terms:
 * no body or invalid JSON → M_NOT_JSON; not an object or a wrong type → M_BAD_JSON;
 * a required field absent → M_MISSING_PARAM; a well-typed but unacceptable value → M_INVALID_PARAM.
 * Unknown fields are dropped, `null` in an optional field means absent, and no value is coerced
 * from one type to another.
 */
@Injectable()
export class MatrixValidationPipe implements PipeTransform {
  async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const dtoClass = metadata.metatype;
    if (metadata.type !== 'body' || !dtoClass || isPrimitiveType(dtoClass)) return value;
    if (value === undefined || value instanceof UnparsableBody) throw new NotJsonError();
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new BadJsonError();
    if (exceedsDepth(value, MAX_JSON_DEPTH)) throw new BadJsonError(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);

    const dto = plainToInstance(dtoClass, value, { enableImplicitConversion: false }) as object;
    const errors = await validate(dto, { whitelist: true, forbidUnknownValues: false, validationError: { target: false } });
    if (errors.length > 0) throw toMatrixError(errors);
    return withoutNulls(dto);
  }
}

/** Iterative, so that the check itself cannot overflow the stack. */
function exceedsDepth(root: object, maxDepth: number): boolean {
  const pending: [unknown, number][] = [[root, 1]];
  while (pending.length > 0) {
    const [value, depth] = pending.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (depth > maxDepth) return true;
    for (const child of Object.values(value)) pending.push([child, depth + 1]);
  }
  return false;
}

/**
 * After validation a remaining `null` can only sit in an optional field (a required one fails as
 * M_BAD_JSON), so handlers never see null: only a value or undefined.
 */
function withoutNulls<T extends object>(dto: T): T {
  for (const [key, value] of Object.entries(dto)) {
    if (value === null) delete (dto as Record<string, unknown>)[key];
    else if (typeof value === 'object' && !Array.isArray(value)) withoutNulls(value);
  }
  return dto;
}

function isPrimitiveType(type: unknown): boolean {
  return [String, Boolean, Number, Array, Object].includes(type as never);
}

interface Failure {
  path: string;
  value: unknown;
  constraint: string;
  message: string;
}

/** The most basic problem wins: something missing, then a wrong type, then a bad value. */
function toMatrixError(errors: ValidationError[]): Error {
  const failures = flatten(errors);
  const missing = failures.find((f) => f.value === undefined);
  if (missing) return new MissingParamError(`Missing parameter: ${missing.path}`);
  const wrongType = failures.find((f) => TYPE_CONSTRAINTS.has(f.constraint));
  if (wrongType) return new BadJsonError(`Invalid type for ${wrongType.path}: ${wrongType.message}`);
  const invalid = failures[0];
  return new InvalidParamError(`Invalid value for ${invalid.path}: ${invalid.message}`);
}

function flatten(errors: ValidationError[], parent = ''): Failure[] {
  return errors.flatMap((error) => {
    const path = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.entries(error.constraints ?? {}).map(([constraint, message]) => ({
      path,
      value: error.value,
      constraint,
      message,
    }));
    return [...own, ...flatten(error.children ?? [], path)];
  });
}
