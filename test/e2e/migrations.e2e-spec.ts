import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { sha256Hex } from '../../src/common/sha256';
import { loadConfig } from '../../src/config/load-config';
import { buildDataSourceOptions } from '../../src/database/data-source-options';
import { ENTITIES } from '../../src/database/entities';
import { MIGRATIONS } from '../../src/database/migrations';
import { RecanonicaliseAddresses1768435200000 } from '../../src/database/migrations/1768435200000-recanonicalise-addresses';
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

  it('re-canonicalise stored addresses, and leave (and report) rows whose canonical form another row has, or that have none', async () => {
    const fresh = await createTestDatabase(kind);
    const options = { ...buildDataSourceOptions(loadConfig({ DATABASE_URL: fresh.url }).database) };
    const before = MIGRATIONS.slice(0, MIGRATIONS.indexOf(RecanonicaliseAddresses1768435200000));
    const older = await new DataSource({ ...options, migrations: before }).initialize();
    const warnings = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const summary = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    try {
      await runMigrationsExclusively(older);
      // Rows as older versions stored them: an older fold, an unmapped domain, case variants of one address.
      const threePid = (medium: string, address: string, userId: string) =>
        older.query('INSERT INTO user_threepids (medium, address, user_id, validated_at, added_at) VALUES (?, ?, ?, 1, 2)', [medium, address, userId]);
      await threePid('email', 'groß@example.org', '@a:x');
      await threePid('email', 'someone@ｅxample.org', '@b:x');
      await threePid('email', 'Taken@example.org', '@c:x');
      await threePid('email', 'taken@example.org', '@d:x');
      await threePid('email', 'a@[127.0.0.1]', '@e:x');
      await threePid('msisdn', '447700900123', '@a:x');
      // Pages of rows to read past: canonical already, before and after the others in key order.
      const fillers = Array.from({ length: 2100 }, (_, i) => [`filler-${String(i).padStart(4, '0')}@example.org`, `@filler${i % 3}:x`]);
      await older.query(
        `INSERT INTO user_threepids (medium, address, user_id, validated_at, added_at) VALUES ${fillers.map(() => "('email', ?, ?, 1, 2)").join(', ')}`,
        fillers.flat(),
      );
      const bindingKey = (userId: string, address: string) => sha256Hex([userId, 'email', address, 'id.example.org'].join('\0'));
      const binding = (userId: string, address: string) =>
        older.query('INSERT INTO threepid_bindings (binding_key, user_id, medium, address, id_server, bound_at) VALUES (?, ?, ?, ?, ?, 3)', [
          bindingKey(userId, address),
          userId,
          'email',
          address,
          'id.example.org',
        ]);
      await binding('@a:x', 'groß@example.org');
      await binding('@c:x', 'Taken@example.org');
      await binding('@c:x', 'taken@example.org');
      const session = (sid: string, address: string, pendingKey: string | null, consumedAt: number | null) =>
        older.query(
          'INSERT INTO threepid_validation_sessions (sid, medium, address, client_secret_hash, pending_key, last_send_attempt, next_link, tokens, token_failures, created_at, validated_at, consumed_at, version) ' +
            "VALUES (?, 'email', ?, 'h', ?, 1, NULL, '[]', 0, 4, NULL, ?, 0)",
          [sid, address, pendingKey, consumedAt],
        );
      await session('pending', 'groß@example.org', 'pending-key', null);
      await session('used', 'groß@example.org', null, 5);
      await session('variant', 'Taken@ＥＸＡＭＰＬＥ.org', 'variant-key', null);
      await older.destroy();

      const migrated = await new DataSource(options).initialize();
      try {
        await runMigrationsExclusively(migrated);
        const rows = (sql: string) => migrated.query(sql) as Promise<Record<string, unknown>[]>;
        expect(await rows("SELECT medium, address, user_id FROM user_threepids WHERE user_id NOT LIKE '@filler%' ORDER BY user_id, medium")).toEqual([
          { medium: 'email', address: 'gross@example.org', user_id: '@a:x' },
          { medium: 'msisdn', address: '447700900123', user_id: '@a:x' },
          { medium: 'email', address: 'someone@example.org', user_id: '@b:x' },
          { medium: 'email', address: 'Taken@example.org', user_id: '@c:x' },
          { medium: 'email', address: 'taken@example.org', user_id: '@d:x' },
          { medium: 'email', address: 'a@[127.0.0.1]', user_id: '@e:x' },
        ]);
        expect(await rows('SELECT binding_key, user_id, address FROM threepid_bindings ORDER BY user_id, address')).toEqual([
          { binding_key: bindingKey('@a:x', 'gross@example.org'), user_id: '@a:x', address: 'gross@example.org' },
          { binding_key: bindingKey('@c:x', 'Taken@example.org'), user_id: '@c:x', address: 'Taken@example.org' },
          { binding_key: bindingKey('@c:x', 'taken@example.org'), user_id: '@c:x', address: 'taken@example.org' },
        ]);
        expect(await rows('SELECT sid, address, pending_key FROM threepid_validation_sessions ORDER BY sid')).toEqual([
          { sid: 'pending', address: 'gross@example.org', pending_key: null },
          { sid: 'used', address: 'groß@example.org', pending_key: null },
          { sid: 'variant', address: 'taken@example.org', pending_key: null },
        ]);
        expect(
          await rows('SELECT table_name, medium, stored_address, canonical_address, user_id, reason FROM threepid_canonicalisation_report ORDER BY table_name, user_id'),
        ).toEqual([
          { table_name: 'threepid_bindings', medium: 'email', stored_address: 'Taken@example.org', canonical_address: 'taken@example.org', user_id: '@c:x', reason: 'collision' },
          { table_name: 'user_threepids', medium: 'email', stored_address: 'Taken@example.org', canonical_address: 'taken@example.org', user_id: '@c:x', reason: 'collision' },
          { table_name: 'user_threepids', medium: 'email', stored_address: 'a@[127.0.0.1]', canonical_address: null, user_id: '@e:x', reason: 'no canonical form' },
        ]);
        expect(summary.mock.calls.map(([message]) => message)).toEqual([
          'Re-canonicalised 5 stored addresses; 3 left as they were, listed in threepid_canonicalisation_report',
        ]);
        expect(warnings.mock.calls.map(([fields]) => fields)).toEqual([
          { table: 'user_threepids', medium: 'email', userId: '@c:x', reason: 'collision' },
          { table: 'user_threepids', medium: 'email', userId: '@e:x', reason: 'no canonical form' },
          { table: 'threepid_bindings', medium: 'email', userId: '@c:x', reason: 'collision' },
        ]);
      } finally {
        await migrated.destroy();
      }
    } finally {
      warnings.mockRestore();
      summary.mockRestore();
      if (older.isInitialized) await older.destroy();
      await fresh.drop();
    }
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
