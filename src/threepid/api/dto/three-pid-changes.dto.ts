import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { applyDecorators } from '@nestjs/common';
import { IsIn, IsObject, IsOptional, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';
import { UiaRequestBody } from '../../../auth/api/dto/uia.dto';
import { MEDIA } from '../../domain/medium';
import { EXAMPLE } from './examples';
import { ClientSecretProperty, IdServerProperty, SessionIdProperty } from './validation.dto';

/**
 * An identity server's access token goes into an Authorization header: visible ASCII only, so that
 * it can carry nothing else into the request.
 */
const ID_ACCESS_TOKEN = /^[\x21-\x7e]{1,1024}$/;

function IdAccessTokenProperty(description: string, required: boolean): PropertyDecorator {
  return applyDecorators(
    (required ? ApiProperty : ApiPropertyOptional)({ description, example: EXAMPLE.idAccessToken }),
    ...(required ? [] : [IsOptional()]),
    IsString(),
    Matches(ID_ACCESS_TOKEN, { message: 'id_access_token must be 1 to 1024 visible ASCII characters' }),
  );
}

export class AddThreePidBody extends UiaRequestBody {
  @ClientSecretProperty('The client secret used in the session with the homeserver.')
  client_secret!: string;

  @SessionIdProperty('The session identifier given by the homeserver.')
  sid!: string;
}

export class BindThreePidBody {
  @ClientSecretProperty('The client secret used in the session with the identity server.')
  client_secret!: string;

  @IdServerProperty('The identity server to use: a host name or IP literal with an optional port.', true)
  id_server!: string;

  @IdAccessTokenProperty('An access token previously registered with the identity server.', true)
  id_access_token!: string;

  @SessionIdProperty('The session identifier given by the identity server.')
  sid!: string;
}

/** The body of /3pid/delete and /3pid/unbind. */
export class DeleteThreePidBody {
  @IdServerProperty(
    'The identity server to unbind from. If not provided, the homeserver MUST use the `id_server` the identifier was ' +
      'added through. If the homeserver does not know the original `id_server`, it MUST return a ' +
      '`id_server_unbind_result` of `no-support`.',
    false,
  )
  id_server?: string;

  @ApiProperty({ description: 'The medium of the third-party identifier being removed.', enum: MEDIA, example: 'email' })
  @IsString()
  @IsIn(MEDIA, { message: `medium must be one of ${MEDIA.join(', ')}` })
  medium!: string;

  @ApiProperty({ description: 'The third-party address being removed.', example: EXAMPLE.email })
  @IsString()
  @MaxLength(1024)
  address!: string;
}

/** The answer of /3pid/delete and /3pid/unbind. */
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

  @SessionIdProperty('The session identifier given by the homeserver.')
  sid!: string;

  @IdServerProperty(
    'The identity server whose session `sid` is, when it is not a session of this homeserver: what that server ' +
      'confirms it validated (`GET /3pid/getValidated3pid`) is added. Needs `id_access_token`.',
    false,
  )
  id_server?: string;

  @IdAccessTokenProperty('An access token previously registered with the identity server (with `id_server`).', false)
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
