import { DataSource } from 'typeorm';
import { loadConfig } from '../../src/config/load-config';
import { buildDataSourceOptions } from '../../src/database/data-source-options';
import { ENTITIES } from '../../src/database/entities';
import { runMigrationsExclusively } from '../../src/database/run-migrations';
import { createTestDatabase, DATABASE_KINDS, TestDatabase } from '../support/databases';

describe.each(DATABASE_KINDS)('migrations [%s]', (kind) => {
  let database: TestDatabase;
  const dataSources: DataSource[] = [];
  const connect = async () => {
    const options = buildDataSourceOptions(loadConfig({ DATABASE_URL: database.url }).database);
    const dataSource = await new DataSource({ ...options, entities: ENTITIES }).initialize();
    dataSources.push(dataSource);
    return dataSource;
  };

  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(async () => {
    for (const dataSource of dataSources) if (dataSource.isInitialized) await dataSource.destroy();
    await database.drop();
  });

  it('bring an empty database exactly to the schema the entities describe', async () => {
    const dataSource = await connect();
    await runMigrationsExclusively(dataSource);
    expect(await dataSource.showMigrations()).toBe(false);
    // What `migration:generate --check` does: no difference between entities and the migrated schema.
    const pending = await dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((query) => query.query)).toEqual([]);
  });

  it('store timestamps as integers, and compare addresses byte for byte (case, accents, trailing spaces)', async () => {
    const dataSource = await connect();
    await dataSource.query("INSERT INTO users (user_id, password_hash, created_at) VALUES ('@m:x', 'h', 1700000000123)");
    await dataSource.query("INSERT INTO user_threepids (medium, address, user_id, validated_at, added_at) VALUES ('email', 'a@x.org', '@m:x', 1, 2)");
    // Case and accents are the application's business (canonicalisation), not the collation's.
    await dataSource.query("INSERT INTO user_threepids (medium, address, user_id, validated_at, added_at) VALUES ('email', 'A@X.ORG', '@m:x', 1, 2)");
    await dataSource.query("INSERT INTO user_threepids (medium, address, user_id, validated_at, added_at) VALUES ('email', 'á@x.org', '@m:x', 1, 2)");
    await dataSource.query("INSERT INTO user_threepids (medium, address, user_id, validated_at, added_at) VALUES ('email', 'a@x.org ', '@m:x', 1, 2)");
    await expect(
      dataSource.query("INSERT INTO user_threepids (medium, address, user_id, validated_at, added_at) VALUES ('email', 'a@x.org', '@m:x', 3, 4)"),
    ).rejects.toThrow();
    const [user] = await dataSource.query("SELECT created_at FROM users WHERE user_id = '@m:x'");
    expect(Number(user.created_at)).toBe(1_700_000_000_123);
    await dataSource.query("DELETE FROM users WHERE user_id = '@m:x'");
    const [{ count }] = await dataSource.query('SELECT COUNT(*) AS count FROM user_threepids');
    // 3PIDs belong to user IDs, not to rows of `users`: a host's own accounts are not there. No cascade.
    expect(Number(count)).toBe(4);
  });

  it('revert completely and apply again', async () => {
    const dataSource = await connect();
    while ((await dataSource.query(`SELECT COUNT(*) AS count FROM ${dataSource.options.migrationsTableName ?? 'migrations'}`))[0].count > 0) {
      await dataSource.undoLastMigration();
    }
    const queryRunner = dataSource.createQueryRunner();
    try {
      expect(await queryRunner.hasTable('users')).toBe(false);
      expect(await queryRunner.hasTable('user_threepids')).toBe(false);
    } finally {
      await queryRunner.release();
    }
    await runMigrationsExclusively(dataSource);
    expect(await dataSource.showMigrations()).toBe(false);
  });

  if (kind === 'mysql') {
    it('let instances that start together take turns, so that each one comes up', async () => {
      const fresh = await createTestDatabase('mysql');
      const instances: DataSource[] = [];
      try {
        for (let i = 0; i < 3; i++) {
          const options = buildDataSourceOptions(loadConfig({ DATABASE_URL: fresh.url }).database);
          instances.push(await new DataSource(options).initialize());
        }
        await Promise.all(instances.map((instance) => runMigrationsExclusively(instance)));
        for (const instance of instances) expect(await instance.showMigrations()).toBe(false);
      } finally {
        for (const instance of instances) await instance.destroy();
        await fresh.drop();
      }
    });
  }
});
