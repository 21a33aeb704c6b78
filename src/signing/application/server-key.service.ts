import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { type ServerKeyDocument, signedServerKeyDocument } from '../domain/server-key-document';
import { SigningKey } from '../domain/signing-key';
import { SIGNING_DEFAULTS, SIGNING_MODULE_OPTIONS, type SigningModuleOptions } from '../signing.options';

/**
 * This server's key document, signed once and served from memory until less than half of its
 * validity is left: others cache it until `valid_until_ts`, so a fresh signature per request would
 * buy nothing.
 */
@Injectable()
export class ServerKeyService {
  private readonly validityMs: number;
  private current?: ServerKeyDocument;

  constructor(
    private readonly key: SigningKey,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(SIGNING_MODULE_OPTIONS) private readonly options: SigningModuleOptions,
  ) {
    this.validityMs = options.keyValidityMs ?? SIGNING_DEFAULTS.keyValidityMs;
    // Checked here rather than on each request, where the signature would fail over a non-integer timestamp.
    if (!Number.isSafeInteger(this.validityMs) || this.validityMs <= 0) throw new RangeError('keyValidityMs must be a positive integer');
  }

  keyDocument(): ServerKeyDocument {
    const now = this.clock.now();
    if (!this.current || this.current.valid_until_ts - now < this.validityMs / 2) {
      this.current = signedServerKeyDocument(this.options.serverName, this.key, now + this.validityMs);
    }
    return this.current;
  }
}
