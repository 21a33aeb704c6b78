import { Column, Entity, PrimaryColumn } from 'typeorm';
import { msTimestamp } from '../../database/ms-timestamp.transformer';

@Entity('users')
export class UserOrmEntity {
  @PrimaryColumn({ name: 'user_id', type: 'varchar', length: 255 })
  userId!: string;

  @Column({ name: 'password_hash', type: 'varchar', length: 255 })
  passwordHash!: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: msTimestamp })
  createdAt!: number;

  @Column({ name: 'admin', type: 'boolean', default: false })
  admin!: boolean;
}
