import type { LookupAddress } from 'node:dns';
import { isPublicAddress, NonPublicAddressError, publicOnlyLookup } from '../../../src/threepid/infrastructure/public-address';

describe(isPublicAddress.name, () => {
  it.each([
    '0.0.0.0',
    '10.0.0.1',
    '100.64.0.1',
    '127.0.0.1',
    '127.255.255.254',
    '169.254.169.254',
    '172.16.0.1',
    '172.31.255.255',
    '192.0.0.8',
    '192.0.2.1',
    '192.168.1.1',
    '198.18.0.1',
    '198.51.100.7',
    '203.0.113.9',
    '224.0.0.251',
    '239.255.255.250',
    '240.0.0.1',
    '255.255.255.255',
    '::',
    '::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    '::ffff:a9fe:a9fe',
    '::127.0.0.1',
    '64:ff9b::7f00:1',
    '100::1',
    '2001:db8::1',
    '2001::1',
    '2002:7f00:1::1',
    'fc00::1',
    'fd12:3456:789a::1',
    'fe80::1',
    'fec0::1',
    'ff02::1',
    'not an address',
  ])('refuses %s', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each(['1.1.1.1', '8.8.8.8', '93.184.216.34', '172.32.0.1', '192.169.0.1', '2606:4700:4700::1111', '2a00:1450:4001::1', '::ffff:8.8.8.8'])(
    'accepts %s',
    (address) => {
      expect(isPublicAddress(address)).toBe(true);
    },
  );
});

describe(publicOnlyLookup.name, () => {
  const lookupWith = (answers: LookupAddress[]) =>
    (options: { all?: boolean; family?: number }) =>
      new Promise<{ error: NodeJS.ErrnoException | null; result: unknown }>((resolve) =>
        publicOnlyLookup(async () => answers)('id.example.org', options as never, (error: NodeJS.ErrnoException | null, ...result: unknown[]) =>
          resolve({ error, result }),
        ),
      );

  it('hands the socket exactly the public addresses it resolved', async () => {
    const answers = [
      { address: '93.184.216.34', family: 4 },
      { address: '2606:2800:220:1::1', family: 6 },
    ];
    await expect(lookupWith(answers)({ all: true })).resolves.toEqual({ error: null, result: [answers] });
    await expect(lookupWith(answers)({})).resolves.toEqual({ error: null, result: ['93.184.216.34', 4] });
    await expect(lookupWith(answers)({ family: 6 })).resolves.toEqual({ error: null, result: ['2606:2800:220:1::1', 6] });
  });

  it('refuses the whole name when any of its addresses is not public', async () => {
    const { error } = await lookupWith([
      { address: '93.184.216.34', family: 4 },
      { address: '127.0.0.1', family: 4 },
    ])({ all: true });
    expect(error).toBeInstanceOf(NonPublicAddressError);
  });

  it('resolves once per connection, so that what was checked is what is connected to', async () => {
    let calls = 0;
    const flipping = async () => (++calls === 1 ? [{ address: '93.184.216.34', family: 4 }] : [{ address: '127.0.0.1', family: 4 }]);
    const result = await new Promise((resolve) => publicOnlyLookup(flipping)('rebind.example', { all: true } as never, (_e: unknown, a: unknown) => resolve(a)));
    expect(result).toEqual([{ address: '93.184.216.34', family: 4 }]);
    expect(calls).toBe(1);
  });
});
