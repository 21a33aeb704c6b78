import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/** Server administrators (`user:create --admin`) may use the Synapse-compatible admin API; nobody is one before. */
export class ServerAdmins1769000000000 implements MigrationInterface {
  name = 'ServerAdmins1769000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // The default as SQL, as TypeORM writes the entity's `default: false` on both databases.
    await queryRunner.addColumn('users', new TableColumn({ name: 'admin', type: 'boolean', isNullable: false, default: '0' }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('users', 'admin');
  }
}
