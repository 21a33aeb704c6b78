import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { msTimestamp } from '../../database/ms-timestamp.transformer';

@Entity('user_threepids')
@Index('idx_user_threepids_user', ['userId'])
export class ThreePidOrmEntity {
  @PrimaryColumn({ type: 'varchar', length: 16 })
  medium!: string;

  @PrimaryColumn({ type: 'varchar', length: 512 })
  address!: string;

  @Column({ name: 'user_id', type: 'varchar', length: 255 })
  userId!: string;

  @Column({ name: 'validated_at', type: 'bigint', transformer: msTimestamp })
  validatedAt!: number;

  @Column({ name: 'added_at', type: 'bigint', transformer: msTimestamp })
  addedAt!: number;
}
