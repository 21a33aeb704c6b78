import { ServerKeyService } from '../../../src/signing/application/server-key.service';
import { SigningKey } from '../../../src/signing/domain/signing-key';
import { FixedClock } from '../../fakes/auth.fakes';

const HOUR = 3_600_000;

describe(ServerKeyService.name, () => {
  const key = SigningKey.generate();
  let clock: FixedClock;
  let service: ServerKeyService;
  beforeEach(() => {
    clock = new FixedClock();
    service = new ServerKeyService(key, clock, { serverName: 'example.org', keyPath: 'unused', keyValidityMs: 24 * HOUR });
  });

  it('makes the document valid for keyValidityMs from now', () => {
    expect(service.keyDocument()).toMatchObject({ server_name: 'example.org', valid_until_ts: clock.now() + 24 * HOUR });
  });

  it('serves the same signed document while at least half of its validity is left', () => {
    const first = service.keyDocument();
    clock.advance(12 * HOUR);
    expect(service.keyDocument()).toBe(first);
  });

  it('signs a new one once less than half is left', () => {
    const first = service.keyDocument();
    clock.advance(12 * HOUR + 1);
    const second = service.keyDocument();
    expect(second.valid_until_ts).toBe(clock.now() + 24 * HOUR);
    expect(second.signatures['example.org'][key.keyId]).not.toBe(first.signatures['example.org'][key.keyId]);
    expect(service.keyDocument()).toBe(second);
  });

  it("defaults to one day, as Synapse's key_refresh_interval", () => {
    const byDefault = new ServerKeyService(key, clock, { serverName: 'example.org', keyPath: 'unused' });
    expect(byDefault.keyDocument().valid_until_ts).toBe(clock.now() + 24 * HOUR);
  });

  it.each([[0], [-1], [1.5], [NaN]])('refuses a keyValidityMs of %d', (keyValidityMs) => {
    expect(() => new ServerKeyService(key, clock, { serverName: 'example.org', keyPath: 'unused', keyValidityMs })).toThrow(RangeError);
  });
});
