/** The public API for host applications that import the 3PID feature into their own Nest app. */
// The 3PID feature: the module, its options and services.
export { ThreePidModule } from './threepid/threepid.module';
export { type ThreePidModuleOptions, type IdentityServerOptions, THREE_PID_MODULE_OPTIONS } from './threepid/three-pid.options';
export { ThreePidService } from './threepid/application/three-pid.service';
export { ValidationService } from './threepid/application/validation.service';
export { IdentityServerService } from './threepid/application/identity-server.service';
export { Requires3pidChanges, ThreePidChangesGuard } from './threepid/api/requires-3pid-changes.decorator';
// Its ports, each an interface and the injection token of the same name, and the default policy.
export { type EmailMessage, EmailSender } from './threepid/domain/ports/email-sender';
export { SmsSender } from './threepid/domain/ports/sms-sender';
export {
  IdentityServerGateway,
  type BindRequest,
  type PublishedAssociation,
  type UnbindRequest,
  type UnbindResult,
  type ValidatedSessionQuery,
  type ValidatedThreePid,
} from './threepid/domain/ports/identity-server.gateway';
export { IdServer } from './threepid/domain/identity-server';
export { ThreePidPolicy, type ThreePidCandidate } from './threepid/domain/ports/three-pid-policy';
export { ThreePidAllowlist, type ThreePidPattern } from './threepid/domain/three-pid-policy';
export { ThreePidEventPublisher } from './threepid/domain/ports/three-pid-event-publisher';
export {
  ThreePidMetrics,
  NO_THREE_PID_METRICS,
  type IdentityServerOperation,
  type IdentityServerOutcome,
} from './threepid/application/ports/three-pid-metrics';
export { ThreePidRepository } from './threepid/domain/ports/three-pid.repository';
export { ThreePidBindingRepository, type ThreePidBinding } from './threepid/domain/ports/three-pid-binding.repository';
export { ValidationSessionRepository, ValidationSessionConflictError } from './threepid/domain/ports/validation-session.repository';
export { ValidationSession, type ValidationSessionState, type ValidationLifetimes } from './threepid/domain/validation-session';
export { ThreePid } from './threepid/domain/three-pid';
export { type Medium, MEDIA } from './threepid/domain/medium';
export { canonicalAddress, canonicalEmail, canonicalMsisdn, parsePhoneNumber } from './threepid/domain/three-pid-address';
// Its events, published once a change is stored.
export {
  ThreePidAddedEvent,
  ThreePidRemovedEvent,
  ThreePidBoundEvent,
  ThreePidUnboundEvent,
  ValidationRequestedEvent,
  ThreePidValidatedEvent,
  type ThreePidEvent,
} from './threepid/domain/three-pid.events';
// The texts of its validation messages.
export { type ValidationTemplates, DEFAULT_TEMPLATES, TEMPLATE_VARIABLES, TemplateVariableError } from './threepid/application/validation-messages';
// Its errors.
export {
  ThreePidInUseError,
  ThreePidAlreadyOnAccountError,
  ThreePidChangesDisabledError,
  ThreePidRemovalDeniedError,
  MediumNotSupportedError,
} from './threepid/domain/three-pid.errors';
export { ThreePidDeniedError, ThreePidAuthFailedError, NoValidSessionError, TokenIncorrectError, SessionExpiredError } from './threepid/domain/validation.errors';
export { IdentityServerRefusedError, IdentityServerUnavailableError, IdServerNotTrustedError } from './threepid/domain/identity-server.errors';
// Its request and response bodies.
export { ThreePidListResponse, ThirdPartyIdentifier } from './threepid/api/dto/three-pid.dto';
export {
  AddThreePidBody,
  BindThreePidBody,
  DeleteThreePidBody,
  DeleteThreePidResponse,
  DeprecatedAddThreePidBody,
  ThreePidCredentialsBody,
} from './threepid/api/dto/three-pid-changes.dto';
export {
  EmailRequestTokenBody,
  MsisdnRequestTokenBody,
  RequestTokenResponse,
  MsisdnRequestTokenResponse,
  SubmitTokenBody,
  SubmitTokenResponse,
} from './threepid/api/dto/validation.dto';

// Accounts, access tokens and User-Interactive Authentication: AuthModule, or AuthGuardsModule on a host's own accounts.
export { AuthModule } from './auth/auth.module';
export { type AuthModuleOptions, AUTH_MODULE_OPTIONS, AUTH_DEFAULTS, type FailedPasswordLimit } from './auth/auth.options';
export { AuthGuardsModule } from './auth/auth-guards.module';
export { type AuthGuardsModuleOptions, AUTH_GUARDS_MODULE_OPTIONS } from './auth/auth-guards.options';
export { AccessTokenResolver } from './auth/application/ports/access-token-resolver';
export { PasswordVerifier, type PasswordCredentials } from './auth/application/ports/password-verifier';
export { AuthMetrics, NO_AUTH_METRICS, type UiaFailure, type PasswordLimitScope } from './auth/application/ports/auth-metrics';
export { UiaSessionRepository, UiaSessionConflictError } from './auth/domain/ports/uia-session.repository';
export { UiaSession, type UiaSessionState } from './auth/domain/uia-session';
export { Authenticated, Requester } from './auth/api/authenticated.decorator';
export { AccessTokenGuard } from './auth/api/access-token.guard';
export { RequiresUia, UiaGuard, UiaInterceptor } from './auth/api/requires-uia.decorator';
export { AuthenticationData, AuthenticationResponse, UiaRequestBody } from './auth/api/dto/uia.dto';
export { UiaService } from './auth/application/uia.service';
export { type IdentifierResolver, type UserIdentifier, UserIdentifiers } from './auth/application/user-identifiers';
export { PasswordAuthenticator } from './auth/application/password-authenticator';
export { LoginFailedError, UnknownTokenError, MissingTokenError, TooManyFailedAttemptsError } from './auth/domain/auth.errors';

// Server administrators: who they are (ServerAdminVerifier), and what guards their endpoints.
export { ServerAdminVerifier, NO_SERVER_ADMINS } from './auth/application/ports/server-admin-verifier';
export { RequiresServerAdmin, ServerAdminGuard } from './auth/api/requires-server-admin.decorator';
export { AccountService, type AccountSummary } from './auth/application/account.service';
export { NotServerAdminError } from './auth/domain/auth.errors';
// Administration of accounts' 3PIDs (the Synapse-compatible admin API), with AuthModule's accounts.
export { AdminModule } from './admin/admin.module';
export { AccountAdministration, type AdministeredAccount } from './admin/application/account-administration';
export { ThreePidNotOnAccountError } from './threepid/domain/three-pid.errors';

// The audit trail of 3PID changes.
export { AuditModule } from './audit/audit.module';
export { type AuditModuleOptions, AUDIT_MODULE_OPTIONS } from './audit/audit.options';
export { AuditSink } from './audit/domain/ports/audit-sink';
export { type AuditRecord, type AuditAddresses, type AuditedChange, auditRecord, addressHash } from './audit/domain/audit-record';
export { PinoAuditSink } from './audit/infrastructure/pino-audit.sink';

// The server's signing key.
export { SigningModule } from './signing/signing.module';
export { type SigningModuleOptions, SIGNING_MODULE_OPTIONS, SIGNING_DEFAULTS } from './signing/signing.options';
export { ServerSigner } from './signing/domain/ports/server-signer';
export { encodeCanonicalJson, CanonicalJsonError } from './signing/domain/canonical-json';

// The Matrix error model, and what the standalone server is made of.
export { MatrixError, ErrCode, MissingParamError, InvalidParamError } from './common/errors/matrix-error';
export { MatrixErrorResponse, RateLimitedErrorResponse } from './common/http/matrix-error.dto';
export { MatrixExceptionFilter } from './common/http/matrix-exception.filter';
export { RouteTable } from './common/http/route-table';
export { MatrixValidationPipe } from './common/http/matrix-validation.pipe';
export { Clock } from './common/clock';
export { MIGRATIONS } from './database/migrations';
export { ENTITIES } from './database/entities';
export { createApp } from './app';
export { AppModule } from './app.module';
export { loadConfig, InvalidConfigError } from './config/load-config';
export type { AppConfig } from './config/app-config';
