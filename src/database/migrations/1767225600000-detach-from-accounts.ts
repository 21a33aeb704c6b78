import { MigrationInterface, QueryRunner, TableForeignKey, TableIndex } from 'typeorm';
import { userForeignKey } from './columns';

const DETACHED = [
  ['user_threepids', 'fk_user_threepids_user'],
  ['threepid_bindings', 'fk_threepid_bindings_user'],
  ['uia_sessions', 'fk_uia_sessions_user'],
] as const;

/**
 * 3PIDs, their bindings and UIA sessions belong to user IDs, not to rows of this server's `users`
 * table: a host homeserver with accounts of its own (AuthGuardsModule) has none there. Removing an
 * account's 3PIDs is for the 3PID feature to do (it unbinds them first), not for a cascade.
 */
export class DetachFromAccounts1767225600000 implements MigrationInterface {
  name = 'DetachFromAccounts1767225600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const [table, foreignKey] of DETACHED) await queryRunner.dropForeignKey(table, foreignKey);
    // MySQL keeps the index it made for the foreign key, under the key's name; one of ours replaces it.
    const uiaSessions = await queryRunner.getTable('uia_sessions');
    if (uiaSessions?.indices.some((index) => index.name === 'fk_uia_sessions_user')) {
      await queryRunner.dropIndex('uia_sessions', 'fk_uia_sessions_user');
    }
    await queryRunner.createIndex('uia_sessions', new TableIndex({ name: 'idx_uia_sessions_user', columnNames: ['user_id'] }));
  }

  /** The keys need a row in `users` for every user ID: 3PIDs, bindings and sessions of user IDs without one are deleted. */
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('uia_sessions', 'idx_uia_sessions_user');
    for (const [table, foreignKey] of DETACHED) {
      await queryRunner.query(`DELETE FROM ${table} WHERE user_id NOT IN (SELECT user_id FROM users)`);
      await queryRunner.createForeignKey(table, new TableForeignKey(userForeignKey(foreignKey)));
    }
  }
}
