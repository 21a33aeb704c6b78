import { DataSource, QueryFailedError } from 'typeorm';

/** One SQL statement with `?` placeholders, which SQLite and MySQL/MariaDB both understand. */
export interface SqlStatement {
  sql: string;
  parameters: readonly (string | number | null)[];
}

/** Sees how many rows a statement changed; throwing rolls the whole transaction back. */
export type AffectedRowsCheck = (statementIndex: number, affectedRows: number) => void;

/** The part of a better-sqlite3 connection used here. */
interface SqliteConnection {
  prepare(sql: string): { run(...parameters: unknown[]): { changes: number } };
  transaction(work: () => void): () => void;
}

/**
 * Runs the statements as one transaction, in order: all of them or none. Database errors come out
 * as TypeORM's QueryFailedError, as from a repository.
 *
 * On SQLite, TypeORM serves every request through one shared connection, so an async transaction
 * would take in whatever other requests run meanwhile (and roll them back with itself), and two of
 * them would nest. There the statements run synchronously inside better-sqlite3's own transaction:
 * nothing else can run in between.
 */
export async function runAtomically(
  dataSource: DataSource,
  statements: readonly SqlStatement[],
  check: AffectedRowsCheck = () => undefined,
): Promise<void> {
  if (dataSource.options.type === 'better-sqlite3') {
    const connection = (dataSource.driver as unknown as { databaseConnection: SqliteConnection }).databaseConnection;
    connection.transaction(() => {
      statements.forEach(({ sql, parameters }, index) => {
        let changes: number;
        try {
          changes = connection.prepare(sql).run(...parameters).changes;
        } catch (error) {
          throw new QueryFailedError(sql, [...parameters], error as Error);
        }
        check(index, changes);
      });
    })();
    return;
  }

  for (let attempt = 1; ; attempt++) {
    try {
      return await runInMysqlTransaction(dataSource, statements, check);
    } catch (error) {
      // InnoDB may pick this transaction as a deadlock victim (concurrent inserts of one key); it was rolled back whole.
      if (!isDeadlock(error) || attempt >= MAX_DEADLOCK_RETRIES) throw error;
    }
  }
}

const MAX_DEADLOCK_RETRIES = 3;

function isDeadlock(error: unknown): boolean {
  return error instanceof QueryFailedError && (error.driverError as { code?: string } | undefined)?.code === 'ER_LOCK_DEADLOCK';
}

async function runInMysqlTransaction(dataSource: DataSource, statements: readonly SqlStatement[], check: AffectedRowsCheck): Promise<void> {
  const runner = dataSource.createQueryRunner();
  try {
    await runner.startTransaction();
    for (const [index, { sql, parameters }] of statements.entries()) {
      const result = await runner.query(sql, [...parameters], true);
      check(index, result.affected ?? 0);
    }
    await runner.commitTransaction();
  } catch (error) {
    // A rollback fails only when the connection is gone, and the server then rolls back by itself;
    // the error to report is the first one.
    if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
    throw error;
  } finally {
    await runner.release();
  }
}
