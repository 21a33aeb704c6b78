import { Inject, Injectable } from '@nestjs/common';
import { ThreePidRepository } from '../domain/ports/three-pid.repository';
import { ThreePid } from '../domain/three-pid';
import { THREE_PID_MODULE_OPTIONS, type ThreePidModuleOptions } from '../three-pid.options';

@Injectable()
export class ThreePidService {
  constructor(
    @Inject(ThreePidRepository) private readonly threePids: ThreePidRepository,
    @Inject(THREE_PID_MODULE_OPTIONS) private readonly options: ThreePidModuleOptions,
  ) {}

  list(userId: string): Promise<ThreePid[]> {
    return this.threePids.findByUser(userId);
  }

  /**
   * This feature's entries for GET /capabilities. Honest, unlike Synapse's: with no medium to
   * deliver validation messages for, no 3PID can be added, so changes are not offered.
   */
  capabilities(): Record<string, { enabled: boolean }> {
    return { 'm.3pid_changes': { enabled: this.options.changesEnabled && this.options.media.length > 0 } };
  }
}
