import {
  applyDecorators,
  CallHandler,
  CanActivate,
  ExecutionContext,
  Injectable,
  Logger,
  NestInterceptor,
  Type,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { ApiResponse, ApiSecurity } from '@nestjs/swagger';
import { catchError, concatMap, from, Observable, throwError } from 'rxjs';
import { ApiMatrixError, errorExamples, RATE_LIMITED_EXAMPLE } from '../../common/http/matrix-error.dto';
import { MatrixValidationPipe } from '../../common/http/matrix-validation.pipe';
import { UiaService } from '../application/uia.service';
import { AccessTokenGuard, AuthenticatedRequest } from './access-token.guard';
import { ACCESS_TOKEN_ERRORS, ACCESS_TOKEN_ERRORS_DESCRIPTION, RequiresAccessToken } from './authenticated.decorator';
import { passwordCredentials } from './dto/password-credentials';
import { AuthenticationResponse, EXAMPLE_UIA_SESSION, UiaRequestBody } from './dto/uia.dto';

type UiaHttpRequest = AuthenticatedRequest & { uiaSessionId?: string };

/** The class of the handler's @Body(), found when the decorator is applied. */
const UiaBodyType = Reflector.createDecorator<Type>();

/**
 * User-Interactive Authentication in front of a handler, after its access token. The body is
 * validated first, as the handler's pipe would (a body missing a field gets 400, not 401); then
 * the request must complete a flow, and the session is claimed for it.
 */
@Injectable()
export class UiaGuard implements CanActivate {
  private readonly bodyValidation = new MatrixValidationPipe();

  constructor(
    private readonly uia: UiaService,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<UiaHttpRequest>();
    if (!request.requester) throw new Error('UiaGuard runs after AccessTokenGuard: use @RequiresUia()');
    const metatype = this.reflector.get(UiaBodyType, context.getHandler());
    const body = (await this.bodyValidation.transform(request.body, { type: 'body', metatype })) as UiaRequestBody;
    const { auth: _auth, ...rest } = request.body as Record<string, unknown>;
    request.uiaSessionId = await this.uia.authorise(
      { userId: request.requester.userId, method: request.method, path: request.url.split('?', 1)[0], body: rest },
      body.auth && { type: body.auth.type, session: body.auth.session, ...passwordCredentials(body.auth) },
    );
    return true;
  }
}

/** Uses up the session when the handler succeeds; releases it for a retry when the handler fails. */
@Injectable()
export class UiaInterceptor implements NestInterceptor {
  private readonly logger = new Logger(UiaInterceptor.name);

  constructor(private readonly uia: UiaService) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const sessionId = context.switchToHttp().getRequest<UiaHttpRequest>().uiaSessionId!;
    return next.handle().pipe(
      concatMap(async (result: unknown) => {
        await this.settle(() => this.uia.succeeded(sessionId));
        return result;
      }),
      catchError((error: unknown) => from(this.settle(() => this.uia.failed(sessionId))).pipe(concatMap(() => throwError(() => error)))),
    );
  }

  /** The request's own outcome stands; a session left claimed only means the client starts a new one. */
  private async settle(work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      this.logger.warn({ err: error }, 'Could not settle a UIA session');
    }
  }
}

/** What the first request of User-Interactive Authentication gets (spec: auth_response.yaml): no errcode. */
export const UIA_CHALLENGE_EXAMPLE = { flows: [{ stages: ['m.login.password'] }], params: {}, session: EXAMPLE_UIA_SESSION };

/**
 * The endpoint needs an access token and User-Interactive Authentication (a password, again) to
 * `purpose`, e.g. 'add a third-party identifier to your account'. Its @Body() class extends
 * UiaRequestBody (checked when the controller is loaded). Replaces @Authenticated().
 */
export function RequiresUia(purpose: string): MethodDecorator {
  return (target, key, descriptor) =>
    applyDecorators(
      UiaBodyType(bodyTypeOf(target.constructor as Type, key)),
      RequiresAccessToken(true),
      UseGuards(AccessTokenGuard, UiaGuard),
      UseInterceptors(UiaInterceptor),
      ApiSecurity('accessTokenBearer'),
      ApiResponse({
        status: 401,
        description:
          `The homeserver requires additional authentication information to ${purpose}: the password again ` +
          '(`m.login.password`). The first answer, to a request without `auth`, has no `errcode`: it gives the `session` ' +
          'to send back in `auth` with the password; a wrong password gets the same with `M_FORBIDDEN`. ' +
          ACCESS_TOKEN_ERRORS_DESCRIPTION,
        type: AuthenticationResponse,
        examples: {
          challenge: { summary: 'The first request, without auth: the flows and a session', value: UIA_CHALLENGE_EXAMPLE },
          wrongPassword: {
            summary: 'M_FORBIDDEN: a wrong password; the session goes on',
            value: { errcode: 'M_FORBIDDEN', error: 'Invalid username or password', completed: [], ...UIA_CHALLENGE_EXAMPLE },
          },
          ...errorExamples(ACCESS_TOKEN_ERRORS),
        },
      }),
      ApiMatrixError(
        429,
        'Too many requests (`M_LIMIT_EXCEEDED`, with `retry_after_ms`): this client\'s, or wrong passwords for this user ID ' +
          '(RATE_LIMIT_FAILED_PASSWORDS), or another request is being served with this UIA session.',
        RATE_LIMITED_EXAMPLE,
        ['M_LIMIT_EXCEEDED', 'Too many failed attempts. Please try again later', { retry_after_ms: 540_000 }],
        ['M_LIMIT_EXCEEDED', 'This session is authorising another request. Please try again shortly', { retry_after_ms: 1000 }],
      ),
    )(target, key, descriptor);
}

/**
 * The handler's @Body() class, from the metadata its parameter decorators and TypeScript wrote
 * (both are in place before method decorators run).
 */
function bodyTypeOf(controller: Type, key: string | symbol): Type {
  const parameters: Record<string, { index: number }> = Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, key) ?? {};
  const body = Object.entries(parameters).find(([parameter]) => parameter.split(':')[0] === String(RouteParamtypes.BODY))?.[1];
  const types: Type[] | undefined = Reflect.getMetadata('design:paramtypes', controller.prototype, key);
  const type = body && types?.[body.index];
  if (!type || !(type.prototype instanceof UiaRequestBody)) {
    throw new Error(`${controller.name}.${String(key)}: @RequiresUia() needs a @Body() whose class extends UiaRequestBody`);
  }
  return type;
}
