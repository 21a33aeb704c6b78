import type { Pool } from 'mysql2';
import type { DataSource } from 'typeorm';

/**
 * A read on the hot path, as a prepared statement on MySQL/MariaDB: mysql2's `execute`, which the
 * server parses once per connection, where TypeORM's `query` sends text that it parses on every
 * call (the benchmark's database shares the cores with the service, so its parsing is our
 * latency). On SQLite, TypeORM's `query`: better-sqlite3 prepares statements anyway. Errors are the
 * driver's own, which databaseUnavailability() reads as it reads TypeORM's. Not for writes inside
 * a transaction: it takes any free connection of the pool.
 */
export function preparedQuery<Row>(dataSource: DataSource, sql: string, parameters: unknown[]): Promise<Row[]> {
  const pool = mysqlPool(dataSource);
  if (!pool) return dataSource.query<Row[]>(sql, parameters);
  return new Promise((resolve, reject) =>
    pool.execute(sql, parameters as never, (error, rows) => (error ? reject(error) : resolve(rows as Row[]))),
  );
}

function mysqlPool(dataSource: DataSource): Pool | undefined {
  const type = dataSource.options.type;
  return type === 'mysql' || type === 'mariadb' ? (dataSource.driver as unknown as { pool: Pool }).pool : undefined;
}
