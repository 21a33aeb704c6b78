/**
 * A host homeserver with accounts of its own that imports the 3PID module: its own access tokens
 * and passwords, its own mailer, its own rule on addresses, its own subject line, and a listener
 * for the module's events. Compiled and run against the packed module by
 * test/e2e/packed-module.e2e-spec.ts.
 */
import { Injectable, Module } from '@nestjs/common';
import { EventEmitterModule, OnEvent } from '@nestjs/event-emitter';
import { TypeOrmModule } from '@nestjs/typeorm';
import {
  type AccessTokenResolver,
  AuthGuardsModule,
  type EmailMessage,
  type EmailSender,
  ENTITIES,
  LoginFailedError,
  MIGRATIONS,
  type PasswordCredentials,
  type PasswordVerifier,
  type Requester,
  SigningModule,
  ThreePidAddedEvent,
  type ThreePidCandidate,
  ThreePidModule,
  type ThreePidPolicy,
  ThreePidRemovedEvent,
  ThreePidValidatedEvent,
  ValidationRequestedEvent,
} from 'matrix-3pid-server';

/** Your sessions: here, fixed tokens. */
export class HostTokens implements AccessTokenResolver {
  async resolve(accessToken: string): Promise<Requester | undefined> {
    return accessToken === 'alice-token' ? { userId: '@alice:host.example', deviceId: 'PHONE' } : undefined;
  }
}

/** Your accounts: here, one user and her password. */
export class HostPasswords implements PasswordVerifier {
  async identify(credentials: PasswordCredentials): Promise<string | undefined> {
    const user = credentials.identifier?.user ?? credentials.user;
    return user === 'alice' || user === '@alice:host.example' ? '@alice:host.example' : undefined;
  }

  async verify(userId: string, password: string): Promise<void> {
    if (userId !== '@alice:host.example' || password !== 'wonderland') throw new LoginFailedError();
  }
}

/** Your mail service: here, an outbox. */
export class HostMailer implements EmailSender {
  readonly outbox: EmailMessage[] = [];

  async send(message: EmailMessage): Promise<void> {
    this.outbox.push(message);
  }
}

/** Your rule: company e-mail addresses only. */
export class CompanyAddressesOnly implements ThreePidPolicy {
  mayAdd({ medium, address }: ThreePidCandidate): boolean {
    return medium === 'email' && address.endsWith('@example.org');
  }

  mayRemove(): boolean {
    return true;
  }
}

/** Hears of every change, once it is stored. */
@Injectable()
export class AuditLog {
  readonly entries: string[] = [];

  @OnEvent(ValidationRequestedEvent.eventName)
  @OnEvent(ThreePidValidatedEvent.eventName)
  onValidation(event: ValidationRequestedEvent | ThreePidValidatedEvent): void {
    this.entries.push(`${event.eventName} ${event.address}`);
  }

  @OnEvent(ThreePidAddedEvent.eventName)
  @OnEvent(ThreePidRemovedEvent.eventName)
  onChange(event: ThreePidAddedEvent | ThreePidRemovedEvent): void {
    this.entries.push(`${event.eventName} ${event.address} ${event.userId}`);
  }
}

const mailer = new HostMailer();

@Module({
  imports: [
    TypeOrmModule.forRoot({ type: 'better-sqlite3', database: ':memory:', entities: ENTITIES, migrations: MIGRATIONS, migrationsRun: true }),
    EventEmitterModule.forRoot(),
    AuthGuardsModule.forRoot({ accessTokenResolver: new HostTokens(), passwordVerifier: new HostPasswords() }),
    ThreePidModule.forRoot({
      changesEnabled: true,
      serverName: 'host.example',
      publicBaseUrl: 'https://host.example',
      media: ['email'],
      allowlist: [],
      lifetimes: { tokenMs: 60 * 60_000, sessionMs: 24 * 60 * 60_000 },
      email: { from: 'noreply@host.example' },
      sms: {},
      emailSender: mailer,
      policy: new CompanyAddressesOnly(),
      templates: { emailSubject: 'Confirm {{address}} for your {{server_name}} account' },
    }),
    // The default identity-server gateway signs unbinds with this server's key.
    SigningModule.forRoot({ serverName: 'host.example', keyPath: 'data/signing.key' }),
  ],
  providers: [AuditLog, { provide: HostMailer, useValue: mailer }],
})
export class HostHomeserverModule {}
