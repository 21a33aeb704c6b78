/**
 * The app's batched purge of expired validation sessions, run once from its own process as another
 * instance's timer would run it: `node purge-process.js <DATABASE_URL>`; prints `{deleted, seconds}`.
 */
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig } from '../src/config/load-config';
import { deleteInBatches } from '../src/database/batched-delete';
import { buildDataSourceOptions } from '../src/database/data-source-options';

const VALIDATION_SESSION_LIFETIME_MS = 86_400_000;

async function main(): Promise<void> {
  const dataSource = await new DataSource(buildDataSourceOptions(loadConfig({ DATABASE_URL: process.argv[2] }).database)).initialize();
  const started = Date.now();
  const deleted = await deleteInBatches(
    dataSource,
    { table: 'threepid_validation_sessions', key: 'sid', timeColumn: 'created_at' },
    Date.now() - VALIDATION_SESSION_LIFETIME_MS,
  );
  process.stdout.write(JSON.stringify({ deleted, seconds: (Date.now() - started) / 1000 }));
  await dataSource.destroy();
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error)?.stack ?? error}\n`);
  process.exitCode = 1;
});
