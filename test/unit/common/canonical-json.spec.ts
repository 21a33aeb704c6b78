import { canonicalJson } from '../../../src/common/canonical-json';

describe(canonicalJson.name, () => {
  it('sorts the keys of objects', () => {
    expect(canonicalJson({ b: 1, a: 2, c: 3 })).toBe('{"a":2,"b":1,"c":3}');
  });

  it('sorts keys at every depth, inside arrays too, and keeps the order of array items', () => {
    expect(canonicalJson({ z: { y: 1, x: [{ q: 1, p: 2 }, 3, 'a'] }, a: null })).toBe('{"a":null,"z":{"x":[{"p":2,"q":1},3,"a"],"y":1}}');
  });

  it('sorts by code unit, upper case before lower case', () => {
    expect(canonicalJson({ b: 1, B: 2, a: 3, _: 4 })).toBe('{"B":2,"_":4,"a":3,"b":1}');
  });

  it('encodes the same value the same way whatever the key order or white space it came in', () => {
    const one = JSON.parse('{ "sid": "abc", "client_secret": "s", "nested": { "x": 1, "y": [1, 2] } }');
    const other = JSON.parse('{"nested":{"y":[1,2],"x":1},"client_secret":"s","sid":"abc"}');
    expect(canonicalJson(one)).toBe(canonicalJson(other));
  });

  it('encodes the same value the same way when numeric-looking keys come in another order', () => {
    expect(canonicalJson({ b: 1, '10': 2, '9': 3 })).toBe(canonicalJson({ '9': 3, b: 1, '10': 2 }));
  });

  it.each([
    [{ a: 1 }, { a: 2 }],
    [{ a: 1 }, { a: '1' }],
    [{ a: [1, 2] }, { a: [2, 1] }],
    [{ a: null }, {}],
    [{ a: { b: 1 } }, { a: { b: 1, c: 1 } }],
    [{ a: true }, { a: 'true' }],
  ])('tells %j from %j', (one, other) => {
    expect(canonicalJson(one)).not.toBe(canonicalJson(other));
  });

  it.each([
    ['a string', 'text', '"text"'],
    ['a number', 42, '42'],
    ['null', null, 'null'],
    ['an array', [3, { b: 1, a: 2 }], '[3,{"a":2,"b":1}]'],
    ['an empty object', {}, '{}'],
  ])('encodes %s as JSON does', (_case, value, expected) => {
    expect(canonicalJson(value)).toBe(expected);
  });

  it('leaves its input untouched', () => {
    const input = { b: { d: 1, c: 2 }, a: 1 };
    canonicalJson(input);
    expect(Object.keys(input)).toEqual(['b', 'a']);
    expect(Object.keys(input.b)).toEqual(['d', 'c']);
  });
});
