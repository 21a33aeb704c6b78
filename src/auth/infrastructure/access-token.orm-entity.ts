import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { msTimestamp } from '../../database/ms-timestamp.transformer';

@Entity('access_tokens')
@Index('access_tokens_user_device', ['userId', 'deviceId'])
export class AccessTokenOrmEntity {
  @PrimaryColumn({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash!: string;

  @Column({ name: 'user_id', type: 'varchar', length: 255 })
  userId!: string;

  @Column({ name: 'device_id', type: 'varchar', length: 255 })
  deviceId!: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: msTimestamp })
  createdAt!: number;
}
