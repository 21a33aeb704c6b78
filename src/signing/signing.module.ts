import { Module } from '@nestjs/common';
import { CommonModule } from '../common/common.module';
import { ServerKeyController } from './api/server-key.controller';
import { ServerKeyService } from './application/server-key.service';
import { Ed25519ServerSigner } from './domain/ed25519-server-signer';
import { ServerSigner } from './domain/ports/server-signer';
import { SigningKey } from './domain/signing-key';
import { SigningKeyFile } from './infrastructure/signing-key.file';
import { ConfigurableSigningModule, SIGNING_MODULE_OPTIONS, type SigningModuleOptions } from './signing.options';

/**
 * This homeserver's signing key and its published key document (GET /_matrix/key/v2/server):
 * `SigningModule.forRoot({ serverName, keyPath })` or `forRootAsync(...)`. The key is read (or
 * created) once at start-up, which fails on a key file it cannot use. Global unless
 * `isGlobal: false`, so that any feature module can inject ServerSigner.
 */
@Module({
  imports: [CommonModule],
  controllers: [ServerKeyController],
  providers: [
    {
      provide: SigningKey,
      inject: [SIGNING_MODULE_OPTIONS],
      useFactory: ({ keyPath }: SigningModuleOptions): Promise<SigningKey> => new SigningKeyFile(keyPath).loadOrCreate(),
    },
    {
      provide: ServerSigner,
      inject: [SIGNING_MODULE_OPTIONS, SigningKey],
      useFactory: ({ serverName }: SigningModuleOptions, key: SigningKey): ServerSigner => new Ed25519ServerSigner(serverName, key),
    },
    ServerKeyService,
  ],
  exports: [ServerSigner],
})
export class SigningModule extends ConfigurableSigningModule {}
