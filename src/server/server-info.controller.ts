import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../auth/api/authenticated.decorator';
import { CLIENT_BASE, CLIENT_V3 } from '../common/http/matrix-routes';
import { ThreePidService } from '../threepid/application/three-pid.service';

/** Spec versions whose 3PID, login and capability APIs this server implements, under /v3 (no r0 paths). */
export const SUPPORTED_VERSIONS = ['v1.1', 'v1.2', 'v1.3', 'v1.4', 'v1.5', 'v1.6', 'v1.7', 'v1.8', 'v1.9', 'v1.10', 'v1.11', 'v1.12'];

export class VersionsResponse {
  @ApiProperty({ description: 'The supported versions.', example: ['v1.11', 'v1.12'] })
  versions!: string[];

  @ApiPropertyOptional({ description: 'Experimental features the server supports.', example: {} })
  unstable_features!: Record<string, boolean>;
}

class BooleanCapability {
  @ApiProperty({ description: 'True if the user can perform the action, false otherwise.' })
  enabled!: boolean;
}

class Capabilities {
  @ApiProperty({ type: BooleanCapability, description: 'Capability to indicate if the user can change their password.' })
  'm.change_password'!: BooleanCapability;

  @ApiProperty({ type: BooleanCapability, description: 'Capability to indicate if the user can change 3PID associations on their account.' })
  'm.3pid_changes'!: BooleanCapability;
}

export class CapabilitiesResponse {
  @ApiProperty({ type: Capabilities, description: 'The custom capabilities the server supports.' })
  capabilities!: Record<string, unknown>;
}

@Controller()
export class ServerInfoController {
  constructor(private readonly threePids: ThreePidService) {}

  @Get(`${CLIENT_BASE}/versions`)
  @ApiTags('Server administration')
  @ApiOperation({ operationId: 'getVersions', summary: 'Gets the versions of the specification supported by the server.' })
  @ApiOkResponse({ type: VersionsResponse, description: 'The versions supported by the server.' })
  versions(): VersionsResponse {
    return { versions: SUPPORTED_VERSIONS, unstable_features: {} };
  }

  @Get(`${CLIENT_V3}/capabilities`)
  @Authenticated()
  @ApiTags('Capabilities')
  @ApiOperation({ operationId: 'getCapabilities', summary: "Gets information about the server's capabilities." })
  @ApiOkResponse({ type: CapabilitiesResponse, description: 'The capabilities of the server.' })
  capabilities(): CapabilitiesResponse {
    // This standalone server has no /account/password, so clients should not offer it.
    return { capabilities: { 'm.change_password': { enabled: false }, ...this.threePids.capabilities() } };
  }
}
