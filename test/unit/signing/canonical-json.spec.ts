import { CanonicalJsonError, compareCodePoints, encodeCanonicalJson } from '../../../src/signing/domain/canonical-json';

describe(encodeCanonicalJson.name, () => {
  // The examples of the Matrix appendix, "Canonical JSON": the expected text first (it names the
  // test), then the JSON text the example starts from.
  it.each([
    ['{}', '{}'],
    ['{"one":1,"two":"Two"}', '{\n    "one": 1,\n    "two": "Two"\n}'],
    ['{"a":"1","b":"2"}', '{\n    "b": "2",\n    "a": "1"\n}'],
    ['{"a":"1","b":"2"}', '{"b":"2","a":"1"}'],
    [
      '{"auth":{"mxid":"@john.doe:example.com","profile":{"display_name":"John Doe","three_pids":[{"address":"john.doe@example.org","medium":"email"},{"address":"123456789","medium":"msisdn"}]},"success":true}}',
      `{
        "auth": {
          "success": true,
          "mxid": "@john.doe:example.com",
          "profile": {
            "display_name": "John Doe",
            "three_pids": [
              { "medium": "email", "address": "john.doe@example.org" },
              { "medium": "msisdn", "address": "123456789" }
            ]
          }
        }
      }`,
    ],
    ['{"a":"日本語"}', '{\n    "a": "日本語"\n}'],
    ['{"日":1,"本":2}', '{\n    "本": 2,\n    "日": 1\n}'],
    ['{"a":"日"}', '{\n    "a": "\\u65E5"\n}'],
    ['{"a":null}', '{\n    "a": null\n}'],
    ['{"a":0,"b":10000000000}', '{\n    "a": -0,\n    "b": 1e10\n}'],
  ])('gives %s for appendix example %#', (expected, input) => {
    expect(encodeCanonicalJson(JSON.parse(input))).toBe(expected);
  });

  it('writes non-ASCII characters as themselves, astral ones included, never as \\u escapes', () => {
    expect(encodeCanonicalJson({ a: 'é 日 😀 \u007f \u2028' })).toBe('{"a":"é 日 😀 \u007f \u2028"}');
  });

  it("escapes control characters as JSON.stringify and Python's json.dumps(ensure_ascii=False) do", () => {
    expect(encodeCanonicalJson({ a: '\u0000\u0001\b\t\n\u000b\f\r\u001f "quoted" back\\slash /' })).toBe(
      '{"a":"\\u0000\\u0001\\b\\t\\n\\u000b\\f\\r\\u001f \\"quoted\\" back\\\\slash /"}',
    );
  });

  it('escapes control characters in keys too', () => {
    expect(encodeCanonicalJson({ 'a\nb': 1 })).toBe('{"a\\nb":1}');
  });

  it('sorts keys by code point, so a key above U+FFFF comes after one in U+E000-U+FFFF', () => {
    // UTF-16 order would put "😀" (D83D DE00) before "\uff01" (FF01); code points say 1F600 > FF01.
    const value = { '😀': 3, '\uff01': 2, z: 1, '\ue000': 4 };
    expect(encodeCanonicalJson(value)).toBe('{"z":1,"\ue000":4,"\uff01":2,"😀":3}');
  });

  it('sorts numeric-looking keys as strings, not first as JavaScript enumerates them', () => {
    expect(encodeCanonicalJson({ b: 1, '10': 2, '9': 3, A: 4 })).toBe('{"10":2,"9":3,"A":4,"b":1}');
  });

  it('sorts and compacts at every depth, inside arrays too, keeping the order of array items', () => {
    expect(encodeCanonicalJson({ z: [{ y: 1, x: 2 }, [3, 1, 2], 'a'], a: { d: true, c: false } })).toBe(
      '{"a":{"c":false,"d":true},"z":[{"x":2,"y":1},[3,1,2],"a"]}',
    );
  });

  it('accepts the largest and smallest integers the appendix allows', () => {
    expect(encodeCanonicalJson({ max: 2 ** 53 - 1, min: -(2 ** 53) + 1 })).toBe('{"max":9007199254740991,"min":-9007199254740991}');
  });

  it.each([
    ['a fraction', { a: 1.5 }, '$.a'],
    ['a fraction in an array', { a: [1, 0.1] }, '$.a[1]'],
    ['2^53', { a: 2 ** 53 }, '$.a'],
    ['-(2^53)', { a: -(2 ** 53) }, '$.a'],
    ['NaN', { a: NaN }, '$.a'],
    ['Infinity', { a: { b: Infinity } }, '$.a.b'],
    ['a bigint', { a: 1n }, '$.a'],
    ['a function', { a: () => 1 }, '$.a'],
    ['a symbol', { a: Symbol('s') }, '$.a'],
    ['a lone surrogate in a value', { a: 'x\ud800' }, '$.a'],
  ])('refuses %s, naming where it is', (_case, value, path) => {
    expect(() => encodeCanonicalJson(value)).toThrow(CanonicalJsonError);
    expect(() => encodeCanonicalJson(value)).toThrow(`at ${path} `);
  });

  it('refuses a lone surrogate in a key', () => {
    expect(() => encodeCanonicalJson({ ['\udc00']: 1 })).toThrow(CanonicalJsonError);
  });

  it('refuses a value that contains itself', () => {
    const value: Record<string, unknown> = { a: 1 };
    value.self = { again: value };
    expect(() => encodeCanonicalJson(value)).toThrow('contains itself');
  });

  it('allows the same object twice when neither contains the other', () => {
    const shared = { k: 1 };
    expect(encodeCanonicalJson({ a: shared, b: [shared] })).toBe('{"a":{"k":1},"b":[{"k":1}]}');
  });

  it('leaves out undefined members and writes undefined array items as null, as JSON does', () => {
    expect(encodeCanonicalJson({ a: undefined, b: [undefined, 1], c: 2 })).toBe('{"b":[null,1],"c":2}');
    expect(encodeCanonicalJson([1, , 3])).toBe('[1,null,3]');
  });

  it('refuses undefined itself, which has no JSON text', () => {
    expect(() => encodeCanonicalJson(undefined)).toThrow(CanonicalJsonError);
  });

  it('uses toJSON where an object has one, as JSON does', () => {
    expect(encodeCanonicalJson({ when: new Date(0) })).toBe('{"when":"1970-01-01T00:00:00.000Z"}');
  });

  it('encodes top-level strings, integers, booleans, null and arrays', () => {
    expect([encodeCanonicalJson('日'), encodeCanonicalJson(-7), encodeCanonicalJson(true), encodeCanonicalJson(null), encodeCanonicalJson([])]).toEqual([
      '"日"',
      '-7',
      'true',
      'null',
      '[]',
    ]);
  });

  it('leaves its input untouched', () => {
    const input = { b: { d: 1, c: 2 }, a: 1 };
    encodeCanonicalJson(input);
    expect(Object.keys(input)).toEqual(['b', 'a']);
    expect(Object.keys(input.b)).toEqual(['d', 'c']);
  });

  it('orders keys as their UTF-8 bytes sort, for keys from every plane', () => {
    const keys = ['a', 'ÿ', 'Ā', '\ud7ff', '\ue000', '\uffff', '𐀀', '😀', '\u{10ffff}', 'aa', ''];
    const byBytes = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    expect([...keys].sort(compareCodePoints)).toEqual(byBytes);
  });
});
