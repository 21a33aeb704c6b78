import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { msTimestamp } from '../../database/ms-timestamp.transformer';

/**
 * One row per (user, medium, address, id_server). The four columns together are too long for a
 * MySQL key, so their SHA-256 is the primary key.
 */
@Entity('threepid_bindings')
@Index('idx_threepid_bindings_user', ['userId', 'medium'])
export class ThreePidBindingOrmEntity {
  @PrimaryColumn({ name: 'binding_key', type: 'varchar', length: 64 })
  bindingKey!: string;

  @Column({ name: 'user_id', type: 'varchar', length: 255 })
  userId!: string;

  @Column({ type: 'varchar', length: 16 })
  medium!: string;

  @Column({ type: 'varchar', length: 512 })
  address!: string;

  @Column({ name: 'id_server', type: 'varchar', length: 255 })
  idServer!: string;

  @Column({ name: 'bound_at', type: 'bigint', transformer: msTimestamp })
  boundAt!: number;
}
