import { DataSource } from 'typeorm';
import { loadConfig } from '../../src/config/load-config';
import { deleteInBatches } from '../../src/database/batched-delete';
import { buildDataSourceOptions } from '../../src/database/data-source-options';
import { runMigrationsExclusively } from '../../src/database/run-migrations';
import { createTestDatabase, DATABASE_KINDS, TestDatabase } from '../support/databases';

describe.each(DATABASE_KINDS)('purging expired rows in batches [%s]', (kind) => {
  let database: TestDatabase;
  let dataSource: DataSource;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
    dataSource = await new DataSource(buildDataSourceOptions(loadConfig({ DATABASE_URL: database.url }).database)).initialize();
    await runMigrationsExclusively(dataSource);
  });
  afterAll(async () => {
    await dataSource.destroy();
    await database.drop();
  });

  it('deletes every expired row, oldest first, a bounded number per statement, and nothing younger', async () => {
    const rows = Array.from({ length: 2_345 }, (_, i) => [`s${i}`, i < 2_300 ? 1_000 + i : 10_000 + i]);
    for (let i = 0; i < rows.length; i += 500) {
      const batch = rows.slice(i, i + 500);
      await dataSource.query(
        `INSERT INTO threepid_validation_sessions (sid, medium, address, client_secret_hash, last_send_attempt, tokens, token_failures, created_at, version) VALUES ${batch.map(() => "(?, 'email', 'a@example.org', 'h', 1, '[]', 0, ?, 0)").join(', ')}`,
        batch.flat(),
      );
    }
    // One query runner per statement.
    const statements = jest.spyOn(dataSource, 'createQueryRunner');

    const deleted = await deleteInBatches(dataSource, { table: 'threepid_validation_sessions', key: 'sid', timeColumn: 'created_at' }, 10_000, 1_000);

    expect(deleted).toBe(2_300);
    expect(statements).toHaveBeenCalledTimes(3); // 1000, 1000, then 300: fewer than a batch, so the end
    const [{ n }] = await dataSource.query('SELECT COUNT(*) AS n FROM threepid_validation_sessions');
    expect(Number(n)).toBe(45);
    const [{ oldest }] = await dataSource.query('SELECT MIN(created_at) AS oldest FROM threepid_validation_sessions');
    expect(Number(oldest)).toBeGreaterThanOrEqual(10_000);
  });
});
