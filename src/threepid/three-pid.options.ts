import { ConfigurableModuleBuilder } from '@nestjs/common';

/** What a host application decides about the 3PID feature. */
export interface ThreePidModuleOptions {
  /** Whether users may add, change or remove 3PIDs (the `m.3pid_changes` capability). */
  changesEnabled: boolean;
}

export const {
  ConfigurableModuleClass: ConfigurableThreePidModule,
  MODULE_OPTIONS_TOKEN: THREE_PID_MODULE_OPTIONS,
} = new ConfigurableModuleBuilder<ThreePidModuleOptions>().setClassMethodName('forRoot').build();
