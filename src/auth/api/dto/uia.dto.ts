import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsObject, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';
import { PasswordFields } from './login.dto';

/** The UIA session of the documentation's examples: 32 URL-safe characters, as the server makes them. */
export const EXAMPLE_UIA_SESSION = 'xKvDqZbJpWtRmNcLgHfYeSaUoIuTrEwQ';

/** The `auth` object of a User-Interactive Authentication request (spec: definitions/auth_data.yaml). */
export class AuthenticationData extends PasswordFields {
  @ApiPropertyOptional({
    description:
      'The authentication type that the client is attempting to complete. May be omitted if `session` is given, and ' +
      'the client is reissuing a request which it believes has been completed out-of-band.',
    example: 'm.login.password',
  })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  type?: string;

  @ApiPropertyOptional({ description: 'The value of the session key given by the homeserver.', example: EXAMPLE_UIA_SESSION })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  session?: string;
}

/** A request body of an endpoint behind @RequiresUia(): its own fields and `auth`. */
export abstract class UiaRequestBody {
  @ApiPropertyOptional({
    description: 'Additional authentication information for the user-interactive authentication API.',
    type: AuthenticationData,
  })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => AuthenticationData)
  auth?: AuthenticationData;
}

export class AuthenticationFlow {
  @ApiProperty({ description: 'The login type of each of the stages required to complete this authentication flow', example: ['m.login.password'] })
  stages!: string[];
}

/** The 401 of User-Interactive Authentication (spec: definitions/auth_response.yaml). */
export class AuthenticationResponse {
  @ApiProperty({ description: 'A list of the login flows supported by the server for this API.', type: [AuthenticationFlow] })
  flows!: AuthenticationFlow[];

  @ApiPropertyOptional({ description: 'Information the client needs for some authentication types; none for `m.login.password`.', example: {} })
  params?: Record<string, unknown>;

  @ApiPropertyOptional({ description: 'The session identifier the client passes back in `auth.session`.', example: EXAMPLE_UIA_SESSION })
  session?: string;

  @ApiPropertyOptional({ description: 'A list of the stages the client has completed successfully', example: [] })
  completed?: string[];

  @ApiPropertyOptional({ description: 'Set when the last stage failed, e.g. `M_FORBIDDEN` for a wrong password.', example: 'M_FORBIDDEN' })
  errcode?: string;

  @ApiPropertyOptional({ description: 'Why the last stage failed.', example: 'Invalid username or password' })
  error?: string;
}
