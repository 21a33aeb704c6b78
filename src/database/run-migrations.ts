import { DataSource } from 'typeorm';
import { withUnboundedQueries } from './data-source-options';

const MIGRATION_LOCK = 'matrix_3pid_server_migrations';
const LOCK_WAIT_SECONDS = 120;

/**
 * Applies pending migrations. On MySQL/MariaDB several instances may start at once against one
 * database, so a named server lock makes them take turns; the later ones find nothing to do. They
 * run on connections of their own without DATABASE_TIMEOUT's bound on queries: waiting for the
 * lock takes as long as another instance's migrations, and a migration must not be cut short
 * (see withUnboundedQueries). SQLite is one process's file, and its own write lock suffices.
 */
export async function runMigrationsExclusively(dataSource: DataSource): Promise<void> {
  if (dataSource.options.type !== 'mysql' && dataSource.options.type !== 'mariadb') {
    await dataSource.runMigrations({ transaction: 'each' });
    return;
  }
  const migrator = await new DataSource(withUnboundedQueries(dataSource.options)).initialize();
  const lockHolder = migrator.createQueryRunner();
  try {
    const [row] = await lockHolder.query('SELECT GET_LOCK(?, ?) AS acquired', [MIGRATION_LOCK, LOCK_WAIT_SECONDS]);
    if (Number(row.acquired) !== 1) {
      throw new Error(`Timed out after ${LOCK_WAIT_SECONDS}s waiting for another instance to finish migrating`);
    }
    try {
      await migrator.runMigrations({ transaction: 'each' });
    } finally {
      await lockHolder.query('SELECT RELEASE_LOCK(?)', [MIGRATION_LOCK]);
    }
  } finally {
    await lockHolder.release();
    await migrator.destroy();
  }
}
