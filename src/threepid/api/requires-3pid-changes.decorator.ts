import { applyDecorators, CanActivate, ExecutionContext, Inject, Injectable, UseGuards } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiMatrixError } from '../../common/http/matrix-error.dto';
import { Medium } from '../domain/medium';
import { MediumNotSupportedError, ThreePidChangesDisabledError } from '../domain/three-pid.errors';
import { THREE_PID_MODULE_OPTIONS, type ThreePidModuleOptions } from '../three-pid.options';

const RequiredMedium = Reflector.createDecorator<Medium>();

/**
 * Refuses the request before anything else (guards run before body validation) when 3PID changes
 * are disabled (403 M_FORBIDDEN) or, for `medium`, when this server does not deliver that medium
 * (400 M_THREEPID_MEDIUM_NOT_SUPPORTED).
 */
@Injectable()
export class ThreePidChangesGuard implements CanActivate {
  constructor(
    @Inject(THREE_PID_MODULE_OPTIONS) private readonly options: ThreePidModuleOptions,
    private readonly reflector: Reflector,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (!this.options.changesEnabled) throw new ThreePidChangesDisabledError();
    const medium = this.reflector.get(RequiredMedium, context.getHandler());
    if (medium && !this.options.media.includes(medium)) throw new MediumNotSupportedError(medium);
    return true;
  }
}

/** The endpoint changes users' 3PIDs (of `medium`, if given); see ThreePidChangesGuard. */
export function Requires3pidChanges(medium?: Medium): MethodDecorator {
  return applyDecorators(
    ...(medium ? [RequiredMedium(medium)] : []),
    UseGuards(ThreePidChangesGuard),
    ApiMatrixError(403, '3PID changes are disabled on this server (`M_FORBIDDEN`).', ['M_FORBIDDEN', '3PID changes are disabled on this server']),
  );
}
