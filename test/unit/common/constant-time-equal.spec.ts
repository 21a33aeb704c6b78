import { constantTimeEqual } from '../../../src/common/constant-time-equal';
import { sha256Hex } from '../../../src/common/sha256';

describe(constantTimeEqual.name, () => {
  it.each([
    ['', ''],
    ['a', 'a'],
    [sha256Hex('secret'), sha256Hex('secret')],
    ['Strauß ✓ 😀', 'Strauß ✓ 😀'],
  ])('finds %j equal to itself', (a, b) => {
    expect(constantTimeEqual(a, b)).toBe(true);
  });

  it.each([
    ['a', 'b'],
    ['a', ''],
    ['', 'a'],
    ['abc', 'abd'],
    ['xbc', 'abc'],
    [sha256Hex('secret'), sha256Hex('Secret')],
    [sha256Hex('secret'), sha256Hex('secret').slice(0, 63)],
    [sha256Hex('secret'), `${sha256Hex('secret')}0`],
    ['é', 'e'],
    ['e\u0301', 'é'],
    // Lone surrogates, which UTF-8 would turn into the same U+FFFD.
    ['\uD800', '\uDC00'],
  ])('finds %j and %j different', (a, b) => {
    expect(constantTimeEqual(a, b)).toBe(false);
  });

  it('never throws, whatever the lengths', () => {
    for (const [a, b] of [['', sha256Hex('x')], ['x'.repeat(10_000), 'x'], ['😀', '\uD83D']]) {
      expect(constantTimeEqual(a, b)).toBe(false);
      expect(constantTimeEqual(b, a)).toBe(false);
    }
  });
});
