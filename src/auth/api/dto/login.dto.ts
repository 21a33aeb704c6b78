import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsObject, IsOptional, IsString, Length, ValidateNested } from 'class-validator';

export class UserIdentifierBody {
  @ApiProperty({ description: 'The type of identification.', example: 'm.id.user' })
  @IsString()
  type!: string;

  @ApiPropertyOptional({ description: 'For `m.id.user`: the fully qualified user ID or just the localpart.', example: 'alice' })
  @IsOptional()
  @IsString()
  user?: string;

  @ApiPropertyOptional({ description: 'For `m.id.thirdparty`: the medium of the third-party identifier.', example: 'email' })
  @IsOptional()
  @IsString()
  medium?: string;

  @ApiPropertyOptional({ description: 'For `m.id.thirdparty`: the third-party address (canonicalised by the server).', example: 'alice@example.org' })
  @IsOptional()
  @IsString()
  address?: string;

  @ApiPropertyOptional({ description: 'For `m.id.phone`: the country the number is dialled from (ISO 3166-1 alpha-2).', example: 'GB' })
  @IsOptional()
  @IsString()
  country?: string;

  @ApiPropertyOptional({ description: 'For `m.id.phone`: the phone number, as the user entered it.', example: '07700 900123' })
  @IsOptional()
  @IsString()
  phone?: string;
}

/** The fields of an `m.login.password` login or UIA stage. */
export abstract class PasswordFields {
  @ApiPropertyOptional({ description: 'Identification information for the user.', type: UserIdentifierBody })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => UserIdentifierBody)
  identifier?: UserIdentifierBody;

  @ApiPropertyOptional({ description: 'Deprecated in favour of `identifier`: the user ID or localpart.', deprecated: true, example: 'alice' })
  @IsOptional()
  @IsString()
  user?: string;

  @ApiPropertyOptional({ description: 'Deprecated in favour of `identifier`: the medium of a 3PID on the account.', deprecated: true, example: 'email' })
  @IsOptional()
  @IsString()
  medium?: string;

  @ApiPropertyOptional({
    description: 'Deprecated in favour of `identifier`: the address of a 3PID on the account.',
    deprecated: true,
    example: 'alice@example.org',
  })
  @IsOptional()
  @IsString()
  address?: string;

  @ApiPropertyOptional({ description: "Required when `type` is `m.login.password`. The user's password.", example: 'a long password' })
  @IsOptional()
  @IsString()
  password?: string;
}

export class LoginBody extends PasswordFields {
  @ApiProperty({ description: 'The login type being used.', example: 'm.login.password' })
  @IsString()
  type!: string;

  @ApiPropertyOptional({ description: 'ID of the client device; the server generates one when absent.', example: 'GHTYAJCEXW' })
  @IsOptional()
  @IsString()
  @Length(1, 255)
  device_id?: string;

  @ApiPropertyOptional({ description: 'A display name to assign to a newly created device.', example: 'Swagger UI' })
  @IsOptional()
  @IsString()
  initial_device_display_name?: string;

  @ApiPropertyOptional({ description: 'Whether the client supports refresh tokens (this server issues none).', example: false })
  @IsOptional()
  @IsBoolean()
  refresh_token?: boolean;
}

export class LoginResponse {
  @ApiProperty({ description: 'The fully-qualified Matrix ID for the account.', example: '@alice:localhost' })
  user_id!: string;

  @ApiProperty({
    description: 'An access token for the account; use it with the Authorize button.',
    example: 'm3p_Qm9vJ3Xh2xGfL8uTz0aRkYcW5sNdEpB7vHjM1iOqKgU',
  })
  access_token!: string;

  @ApiProperty({ description: 'ID of the logged-in device.', example: 'GHTYAJCEXW' })
  device_id!: string;

  @ApiPropertyOptional({
    description: 'How long the access token works, in milliseconds (ACCESS_TOKEN_LIFETIME); absent when it works until logout.',
    type: 'integer',
    example: 3_600_000,
  })
  expires_in_ms?: number;
}

export class LoginFlow {
  @ApiProperty({ description: 'The login type.', example: 'm.login.password' })
  type!: string;
}

export class LoginFlowsResponse {
  @ApiProperty({ description: "The homeserver's supported login types", type: [LoginFlow] })
  flows!: LoginFlow[];
}

export class WhoamiResponse {
  @ApiProperty({ description: 'The user ID that owns the access token.', example: '@alice:localhost' })
  user_id!: string;

  @ApiProperty({ description: 'Device ID associated with the access token.', example: 'GHTYAJCEXW' })
  device_id!: string;

  @ApiProperty({ description: 'Whether the user is a guest user; never on this server.', example: false })
  is_guest!: boolean;
}
