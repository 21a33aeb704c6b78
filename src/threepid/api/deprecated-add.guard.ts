import { CanActivate, Inject, Injectable } from '@nestjs/common';
import { UnrecognizedRequestError } from '../../common/errors/matrix-error';
import { THREE_PID_MODULE_OPTIONS, type ThreePidModuleOptions } from '../three-pid.options';

/** The deprecated POST /account/3pid is not there at all unless the host turned it on (`deprecatedAddEnabled: true`). */
@Injectable()
export class DeprecatedAddGuard implements CanActivate {
  constructor(@Inject(THREE_PID_MODULE_OPTIONS) private readonly options: ThreePidModuleOptions) {}

  canActivate(): boolean {
    if (this.options.deprecatedAddEnabled !== true) throw new UnrecognizedRequestError(404);
    return true;
  }
}
