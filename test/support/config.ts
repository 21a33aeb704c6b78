import { ConfigService } from '@nestjs/config';
import { AppConfig } from '../../src/config/app-config';
import { Environment, loadConfig } from '../../src/config/load-config';

/** A ConfigService over a validated configuration, as the app module provides it. */
export function configService(env: Environment = {}): ConfigService<AppConfig, true> {
  return new ConfigService<AppConfig, true>(loadConfig(env) as unknown as Record<string, unknown>);
}
