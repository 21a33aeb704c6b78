import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataSourceOptions } from 'typeorm';
import { DatabaseConfig } from '../config/app-config';
import { boundedMysqlDriver } from './bounded-mysql.driver';
import { MIGRATIONS } from './migrations';

/**
 * The one place that turns DATABASE_URL and DATABASE_TIMEOUT into TypeORM options, used by the app
 * and by the migration CLI (ormconfig.ts). Schema changes only ever come from migrations.
 */
export function buildDataSourceOptions(database: DatabaseConfig): DataSourceOptions {
  const common = { migrations: MIGRATIONS, migrationsRun: false, synchronize: false, logging: false } as const;
  if (database.kind === 'sqlite') {
    if (database.path !== ':memory:') mkdirSync(dirname(database.path), { recursive: true });
    return {
      ...common,
      type: 'better-sqlite3',
      database: database.path,
      // WAL lets the CLI write while the server reads; the timeout waits out a concurrent writer
      // (blocking the process meanwhile: better-sqlite3 is synchronous), then answers SQLITE_BUSY.
      enableWAL: database.path !== ':memory:',
      timeout: database.timeoutMs,
    };
  }
  return {
    ...common,
    type: database.kind,
    host: database.host,
    port: database.port,
    username: database.username,
    password: database.password,
    database: database.database,
    // utf8mb4 on the wire; columns carry their own binary collation (see the migrations).
    charset: 'utf8mb4_unicode_ci',
    timezone: 'Z',
    supportBigNumbers: true,
    bigNumberStrings: false,
    connectTimeout: database.timeoutMs,
    driver: boundedMysqlDriver(database.timeoutMs),
  };
}

/**
 * The same options with queries unbounded, connecting still bounded: for migrations, which must
 * not be cut short. A schema change on a large table may rightly take minutes, and MySQL does not
 * roll DDL back, so cutting one would leave the schema half changed.
 */
export function withUnboundedQueries(options: DataSourceOptions): DataSourceOptions {
  return options.type === 'mysql' || options.type === 'mariadb' ? { ...options, driver: undefined } : options;
}
