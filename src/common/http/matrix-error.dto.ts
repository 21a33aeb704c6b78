import { ApiProperty, ApiPropertyOptional, ApiResponse } from '@nestjs/swagger';

/** The standard error response, as documented in the OpenAPI output. */
export class MatrixErrorResponse {
  @ApiProperty({ description: 'An error code.', example: 'M_UNKNOWN' })
  errcode!: string;

  @ApiProperty({ description: 'A human-readable error message.', example: 'An unknown error occurred' })
  error!: string;
}

/** A 429: the standard error with `M_LIMIT_EXCEEDED`, and when to try again (spec: errors/rate_limited.yaml). */
export class RateLimitedErrorResponse extends MatrixErrorResponse {
  @ApiProperty({ description: 'The M_LIMIT_EXCEEDED error code.', example: 'M_LIMIT_EXCEEDED' })
  declare errcode: string;

  @ApiProperty({ description: 'A human-readable error message.', example: 'Too many requests. Please try again later' })
  declare error: string;

  @ApiPropertyOptional({ description: 'How long the client should wait before trying again, in milliseconds (also `Retry-After`).', type: 'integer', example: 2000 })
  retry_after_ms?: number;
}

/** An example answer: the errcode, the message, and any other fields of that error. */
export type MatrixErrorExample = [errcode: string, error: string, extra?: Record<string, unknown>];

/** The 429 every rate limit answers. */
export const RATE_LIMITED_EXAMPLE: MatrixErrorExample = ['M_LIMIT_EXCEEDED', 'Too many requests. Please try again later', { retry_after_ms: 2000 }];

/**
 * Documents an error status with an example of each Matrix error it may carry, so that Swagger UI
 * shows errors that fit the operation rather than one example for every error; its schema is the
 * standard error (rate_limited.yaml's for a 429).
 */
export function ApiMatrixError(status: number, description: string, ...examples: MatrixErrorExample[]): MethodDecorator & ClassDecorator {
  return ApiResponse({ status, description, type: status === 429 ? RateLimitedErrorResponse : MatrixErrorResponse, examples: errorExamples(examples) });
}

/**
 * OpenAPI `examples`, one per error, named by its errcode and message: examples of one status
 * from several decorators (@Requires3pidChanges and the handler's own, say) are merged by name.
 */
export function errorExamples(examples: MatrixErrorExample[]): Record<string, { summary: string; value: Record<string, unknown> }> {
  return Object.fromEntries(
    examples.map(([errcode, error, extra]) => [`${errcode}: ${error}`, { summary: `${errcode}: ${error}`, value: { errcode, error, ...extra } }]),
  );
}
