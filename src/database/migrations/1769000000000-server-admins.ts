import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/** Server administrators (`user:create --admin`) may use the Synapse-compatible admin API; nobody is one before. */
export class ServerAdmins1769000000000 implements MigrationInterface {
  name = 'ServerAdmins1769000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('users', new TableColumn({ name: 'admin', type: 'boolean', isNullable: false, default: false }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('users', 'admin');
  }
}
