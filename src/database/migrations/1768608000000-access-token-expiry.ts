import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/**
 * When an access token stops working (ACCESS_TOKEN_LIFETIME, fixed at login); null: never, which
 * every token issued before stays.
 */
export class AccessTokenExpiry1768608000000 implements MigrationInterface {
  name = 'AccessTokenExpiry1768608000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('access_tokens', new TableColumn({ name: 'expires_at', type: 'bigint', isNullable: true }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('access_tokens', 'expires_at');
  }
}
