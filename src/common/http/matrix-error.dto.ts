import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** The standard error response, as documented in the OpenAPI output. */
export class MatrixErrorResponse {
  @ApiProperty({ description: 'An error code.', example: 'M_UNKNOWN_TOKEN' })
  errcode!: string;

  @ApiProperty({ description: 'A human-readable error message.', example: 'Unrecognised access token' })
  error!: string;
}

/** A 429: the standard error with `M_LIMIT_EXCEEDED`, and when to try again (spec: errors/rate_limited.yaml). */
export class RateLimitedErrorResponse extends MatrixErrorResponse {
  @ApiPropertyOptional({ description: 'How long the client should wait before trying again, in milliseconds (also `Retry-After`).', type: 'integer', example: 2000 })
  retry_after_ms?: number;
}
