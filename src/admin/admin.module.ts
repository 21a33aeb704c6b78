import { DynamicModule, Module } from '@nestjs/common';
import { SynapseAdminController } from './api/synapse-admin.controller';
import { AccountAdministration } from './application/account-administration';

/**
 * Server administration of accounts' 3PIDs: the Synapse-compatible admin API, and what the admin
 * commands use. Needs AuthModule (its accounts).
 */
@Module({})
export class AdminModule {
  /** `threePidModule`: the very ThreePidModule.forRoot(...) object the application imports, so that there is one of it. */
  static forRoot(threePidModule: DynamicModule): DynamicModule {
    return {
      module: AdminModule,
      imports: [threePidModule],
      controllers: [SynapseAdminController],
      providers: [AccountAdministration],
      exports: [AccountAdministration],
    };
  }
}
