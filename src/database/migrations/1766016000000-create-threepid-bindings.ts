import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { binaryCollation, textColumn, userForeignKey } from './columns';

/** The 3PIDs bound at identity servers through this homeserver, so that they can be unbound later. */
export class CreateThreePidBindings1766016000000 implements MigrationInterface {
  name = 'CreateThreePidBindings1766016000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const text = textColumn(await binaryCollation(queryRunner));
    await queryRunner.createTable(
      new Table({
        name: 'threepid_bindings',
        columns: [
          // SHA-256, hex, of user, medium, address and id_server: together they are too long for a MySQL key.
          text('binding_key', 64, { isPrimary: true }),
          text('user_id', 255),
          text('medium', 16),
          // Canonical, as in user_threepids.
          text('address', 512),
          text('id_server', 255),
          { name: 'bound_at', type: 'bigint', isNullable: false },
        ],
        indices: [{ name: 'idx_threepid_bindings_user', columnNames: ['user_id', 'medium'] }],
        foreignKeys: [userForeignKey('fk_threepid_bindings_user')],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('threepid_bindings');
  }
}
