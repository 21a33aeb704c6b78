import * as mysql2 from 'mysql2';
import type { Pool, PoolConnection, PoolOptions } from 'mysql2';
import type { Socket } from 'node:net';

/** A wait on MySQL/MariaDB that got no answer within DATABASE_TIMEOUT. */
export class DatabaseTimeoutError extends Error {
  readonly code = 'DATABASE_TIMEOUT';

  constructor(waitingFor: string, timeoutMs: number) {
    super(`No ${waitingFor} from the database within ${timeoutMs} ms`);
    this.name = 'DatabaseTimeoutError';
  }
}

/**
 * mysql2 for TypeORM's `driver` option, with every wait on the server bounded by `timeoutMs`, so
 * that a database that stops answering (a network partition) fails requests instead of holding
 * them for ever. Connecting is bounded by mysql2's own `connectTimeout`; this adds:
 * - taking a connection from the pool: mysql2 queues callers without end while all are busy (it
 *   has no `acquireTimeout`, and ignores TypeORM's);
 * - every query, so every repository call, transaction statement and health check: mysql2's own
 *   query `timeout` leaves the connection in the pool behind a command that may never end, and
 *   the next query sent on it waits for ever. Here the connection is destroyed instead, and the
 *   pool opens new ones once the database answers again.
 */
export function boundedMysqlDriver(timeoutMs: number): typeof mysql2 {
  return {
    ...mysql2,
    createPool: (options: PoolOptions) => boundPool(mysql2.createPool(options), timeoutMs),
  } as typeof mysql2;
}

function boundPool(pool: Pool, timeoutMs: number): Pool {
  pool.on('connection', (connection) => boundQueries(connection, timeoutMs));
  const getConnection = pool.getConnection.bind(pool);
  pool.getConnection = (callback) => {
    let waiting = true;
    const deadline = setTimeout(() => {
      waiting = false;
      callback(new DatabaseTimeoutError('free connection', timeoutMs), undefined as unknown as PoolConnection);
    }, timeoutMs);
    getConnection((error, connection) => {
      if (waiting) {
        waiting = false;
        clearTimeout(deadline);
        callback(error, connection);
      } else if (!error) {
        connection.release(); // too late for its caller; the next one can have it
      }
    });
  };
  return pool;
}

function boundQueries(connection: PoolConnection, timeoutMs: number): void {
  // `query` is TypeORM's; `execute`, prepared statements, preparedQuery()'s.
  connection.query = bounded(connection, connection.query, timeoutMs) as PoolConnection['query'];
  connection.execute = bounded(connection, connection.execute, timeoutMs) as PoolConnection['execute'];
}

function bounded(connection: PoolConnection, send: (...args: never[]) => unknown, timeoutMs: number): (...args: unknown[]) => unknown {
  const query = send.bind(connection) as (...args: unknown[]) => unknown;
  return (...args: unknown[]) => {
    const callback = args.at(-1);
    // Without a callback the caller streams the rows (TypeORM's stream(), which this project does not use).
    if (typeof callback !== 'function') return query(...args);
    let pending = true;
    const deadline = setTimeout(() => {
      pending = false;
      // The answer may come late or never: either way the connection can serve no other query.
      connection.destroy();
      (connection as unknown as { stream?: Socket }).stream?.destroy();
      callback(new DatabaseTimeoutError('answer to a query', timeoutMs));
    }, timeoutMs);
    return query(...args.slice(0, -1), (...results: unknown[]) => {
      if (!pending) return;
      pending = false;
      clearTimeout(deadline);
      callback(...results);
    });
  };
}
