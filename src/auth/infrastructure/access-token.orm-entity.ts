import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { msTimestamp } from '../../database/ms-timestamp.transformer';
import { UserOrmEntity } from './user.orm-entity';

@Entity('access_tokens')
@Index('idx_access_tokens_user_device', ['userId', 'deviceId'])
export class AccessTokenOrmEntity {
  @PrimaryColumn({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash!: string;

  @Column({ name: 'user_id', type: 'varchar', length: 255 })
  userId!: string;

  @ManyToOne(() => UserOrmEntity, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_access_tokens_user' })
  user?: UserOrmEntity;

  @Column({ name: 'device_id', type: 'varchar', length: 255 })
  deviceId!: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: msTimestamp })
  createdAt!: number;

  @Column({ name: 'expires_at', type: 'bigint', nullable: true, transformer: msTimestamp })
  expiresAt!: number | null;
}
