import type { PoolConnection } from 'mysql2';
import { AddressInfo, createServer, Server, Socket } from 'node:net';
import { boundedMysqlDriver } from '../../../src/database/bounded-mysql.driver';

describe(boundedMysqlDriver.name, () => {
  /** A "database" that accepts connections and never says a word, as one behind a partition. */
  let silent: Server;
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    silent = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  });
  afterEach(() => {
    jest.useRealTimers();
    for (const socket of sockets) socket.destroy();
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  it('gives up on a connection after the bound, for the caller it opens one for and for those queued behind', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const pool = boundedMysqlDriver(1000).createPool({
      host: '127.0.0.1',
      port: (silent.address() as AddressInfo).port,
      connectionLimit: 1,
      connectTimeout: 600_000, // mysql2's own bound on connecting, far away here
    });
    const take = () => new Promise<unknown>((resolve) => pool.getConnection((error: unknown, _connection: PoolConnection) => resolve(error)));
    const connecting = take();
    const queued = take(); // mysql2 alone would keep it waiting as long as the first connection takes

    await jest.advanceTimersByTimeAsync(1000);
    expect(await connecting).toMatchObject({ name: 'DatabaseTimeoutError', code: 'DATABASE_TIMEOUT' });
    expect(await queued).toMatchObject({ name: 'DatabaseTimeoutError', code: 'DATABASE_TIMEOUT' });
  });
});
