import { ApiProperty } from '@nestjs/swagger';

/** The standard error response, as documented in the OpenAPI output. */
export class MatrixErrorResponse {
  @ApiProperty({ description: 'An error code.', example: 'M_UNKNOWN_TOKEN' })
  errcode!: string;

  @ApiProperty({ description: 'A human-readable error message.', example: 'Unrecognised access token' })
  error!: string;
}
