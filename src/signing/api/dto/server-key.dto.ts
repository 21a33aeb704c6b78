import { ApiExtraModels, ApiProperty, getSchemaPath } from '@nestjs/swagger';

const PUBLIC_KEY_EXAMPLE = 'VGhpcyBzaG91bGQgYmUgYSByZWFsIGVkMjU1MTkgcGF5bG9hZA';

export class VerifyKey {
  @ApiProperty({ description: 'The unpadded base64 encoded key.', example: PUBLIC_KEY_EXAMPLE })
  key!: string;
}

export class OldVerifyKey extends VerifyKey {
  @ApiProperty({ description: 'POSIX timestamp in milliseconds for when this key expired.', type: 'integer', format: 'int64', example: 1532645052628 })
  expired_ts!: number;
}

/** The key document, as the server-server spec describes it. @see spec: Server-Server API, GET /_matrix/key/v2/server */
@ApiExtraModels(VerifyKey, OldVerifyKey)
export class ServerKeyResponse {
  @ApiProperty({ description: 'DNS name of the homeserver.', example: 'example.org' })
  server_name!: string;

  @ApiProperty({
    description: 'Public keys of the homeserver for verifying digital signatures, by key ID (algorithm and version, such as `ed25519:a_AbCd`).',
    type: 'object',
    additionalProperties: { $ref: getSchemaPath(VerifyKey) },
    example: { 'ed25519:a_AbCd': { key: PUBLIC_KEY_EXAMPLE } },
  })
  verify_keys!: Record<string, VerifyKey>;

  @ApiProperty({
    description: 'The public keys that the server used to use and when it stopped using them, by key ID. Empty: this server has not retired a key.',
    type: 'object',
    additionalProperties: { $ref: getSchemaPath(OldVerifyKey) },
    example: {},
  })
  old_verify_keys!: Record<string, OldVerifyKey>;

  @ApiProperty({
    description: 'POSIX timestamp in milliseconds until which the keys may be used without fetching them again.',
    type: 'integer',
    format: 'int64',
    example: 1652262000000,
  })
  valid_until_ts!: number;

  @ApiProperty({
    description: 'Signatures of this object by the `verify_keys`: server name, then key ID, then the unpadded base64 signature.',
    type: 'object',
    additionalProperties: { type: 'object', additionalProperties: { type: 'string' } },
    example: { 'example.org': { 'ed25519:a_AbCd': 'these86bytesofbase64signaturecoveressentialfieldsincludinghashessocancheckredactedpdus' } },
  })
  signatures!: Record<string, Record<string, string>>;
}
