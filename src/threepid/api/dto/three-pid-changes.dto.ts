import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { applyDecorators } from '@nestjs/common';
import { IsIn, IsObject, IsOptional, IsString, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { UiaRequestBody } from '../../../auth/api/dto/uia.dto';
import { MEDIA } from '../../domain/medium';
import { ClientSecretProperty } from './validation.dto';

/** The `sid` of a validation session vouching for the address being added. */
function SessionIdProperty(): PropertyDecorator {
  return applyDecorators(
    ApiProperty({ description: 'The session identifier given by the homeserver.', example: 'abc123987' }),
    IsString(),
    MinLength(1),
    MaxLength(255),
  );
}

export class AddThreePidBody extends UiaRequestBody {
  @ClientSecretProperty('The client secret used in the session with the homeserver.')
  client_secret!: string;

  @SessionIdProperty()
  sid!: string;
}

export class DeleteThreePidBody {
  @ApiPropertyOptional({
    description:
      'The identity server to unbind from. If not provided, the homeserver MUST use the `id_server` the identifier was ' +
      'added through. If the homeserver does not know the original `id_server`, it MUST return a ' +
      '`id_server_unbind_result` of `no-support`.',
    example: 'example.org',
  })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  id_server?: string;

  @ApiProperty({ description: 'The medium of the third-party identifier being removed.', enum: MEDIA, example: 'email' })
  @IsString()
  @IsIn(MEDIA, { message: `medium must be one of ${MEDIA.join(', ')}` })
  medium!: string;

  @ApiProperty({ description: 'The third-party address being removed.', example: 'example@example.org' })
  @IsString()
  @MaxLength(1024)
  address!: string;
}

export class DeleteThreePidResponse {
  @ApiProperty({
    description:
      'An indicator as to whether or not the homeserver was able to unbind the 3PID from the identity server. ' +
      '`success` indicates that the identity server has unbound the identifier whereas `no-support` indicates that ' +
      'the identity server refuses to support the request or the homeserver was not able to determine an identity ' +
      'server to unbind from.',
    enum: ['no-support', 'success'],
    example: 'success',
  })
  id_server_unbind_result!: 'no-support' | 'success';
}

export class ThreePidCredentialsBody {
  @ClientSecretProperty('The client secret used in the session with the homeserver.')
  client_secret!: string;

  @SessionIdProperty()
  sid!: string;

  @ApiPropertyOptional({ description: 'The identity server to use. Ignored: only sessions of this homeserver are accepted.', example: 'matrix.org' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  id_server?: string;

  @ApiPropertyOptional({ description: 'An access token previously registered with the identity server. Ignored.' })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  id_access_token?: string;
}

export class DeprecatedAddThreePidBody {
  @ApiProperty({ description: 'The third-party credentials to associate with the account.', type: ThreePidCredentialsBody })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ThreePidCredentialsBody)
  three_pid_creds?: ThreePidCredentialsBody;

  @ApiPropertyOptional({ description: 'Older clients\' name for `three_pid_creds`.', type: ThreePidCredentialsBody, deprecated: true })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ThreePidCredentialsBody)
  threePidCreds?: ThreePidCredentialsBody;
}
