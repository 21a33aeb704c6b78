import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ServerKeyService } from '../application/server-key.service';
import { ServerKeyResponse } from './dto/server-key.dto';

/** The server-server key API: no access token, since other servers and identity servers call it. */
@ApiTags('Server keys')
@Controller('_matrix/key/v2')
export class ServerKeyController {
  constructor(private readonly serverKeys: ServerKeyService) {}

  @Get('server')
  @ApiOperation({
    operationId: 'getServerKey',
    summary: "Get the homeserver's public key(s)",
    description:
      "Gets the homeserver's published signing keys, signed by themselves over the document's canonical JSON. " +
      'Identity servers use it to check what this server signs (unbind requests). The document may be cached until `valid_until_ts`.',
  })
  @ApiOkResponse({ type: ServerKeyResponse, description: "The homeserver's keys" })
  serverKey(): ServerKeyResponse {
    return this.serverKeys.keyDocument();
  }
}
