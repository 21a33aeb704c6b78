import { ExpiringCache } from '../../../src/common/expiring-cache';

describe(ExpiringCache.name, () => {
  it('gives a value back until it expires, then forgets it', () => {
    const cache = new ExpiringCache<string, number>(10);
    cache.set('a', 1, 1_000);
    expect(cache.get('a', 999)).toBe(1);
    expect(cache.get('a', 1_000)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('holds at most maxEntries, dropping the least recently used', () => {
    const cache = new ExpiringCache<string, number>(2);
    cache.set('a', 1, 10);
    cache.set('b', 2, 10);
    expect(cache.get('a', 0)).toBe(1); // a is now the most recently used
    cache.set('c', 3, 10);
    expect([cache.get('a', 0), cache.get('b', 0), cache.get('c', 0)]).toEqual([1, undefined, 3]);
  });

  it('forgets what it is told to, by key or by value', () => {
    const cache = new ExpiringCache<string, { user: string }>(10);
    cache.set('t1', { user: 'alice' }, 10);
    cache.set('t2', { user: 'alice' }, 10);
    cache.set('t3', { user: 'bob' }, 10);
    cache.delete('t3');
    cache.deleteWhere((value) => value.user === 'alice');
    expect(cache.size).toBe(0);
  });
});
