import { ApiProperty } from '@nestjs/swagger';

/** The standard error response, as documented in the OpenAPI output. */
export class MatrixErrorResponse {
  @ApiProperty({ description: 'An error code.', example: 'M_UNKNOWN_TOKEN' })
  errcode!: string;

  @ApiProperty({ description: 'A human-readable error message.', example: 'Unrecognised access token' })
  error!: string;
}

/** A 429, as the spec's rate_limited schema has it; `Retry-After` carries the same wait in whole seconds. */
export class RateLimitedResponse {
  @ApiProperty({ description: 'The M_LIMIT_EXCEEDED error code.', example: 'M_LIMIT_EXCEEDED' })
  errcode!: string;

  @ApiProperty({ description: 'A human-readable error message.', example: 'Too many requests. Please try again later' })
  error!: string;

  @ApiProperty({
    description: 'The amount of time in milliseconds the client should wait before trying the request again (also sent as `Retry-After`, in seconds).',
    type: 'integer',
    example: 2000,
  })
  retry_after_ms!: number;
}
