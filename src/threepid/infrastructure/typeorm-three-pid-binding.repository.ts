import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { sha256Hex } from '../../common/sha256';
import { Medium } from '../domain/medium';
import { ThreePidBinding, ThreePidBindingRepository } from '../domain/ports/three-pid-binding.repository';
import { ThreePidBindingOrmEntity } from './three-pid-binding.orm-entity';

@Injectable()
export class TypeOrmThreePidBindingRepository implements ThreePidBindingRepository {
  constructor(@InjectRepository(ThreePidBindingOrmEntity) private readonly rows: Repository<ThreePidBindingOrmEntity>) {}

  async record(binding: ThreePidBinding): Promise<void> {
    // One statement either way, so that concurrent binds of the same 3PID cannot collide.
    await this.rows.upsert({ bindingKey: bindingKey(binding.userId, binding.medium, binding.address, binding.idServer), ...binding }, ['bindingKey']);
  }

  async findIdServers(userId: string, medium: Medium, address: string): Promise<string[]> {
    const rows = await this.rows.find({ select: { idServer: true }, where: { userId, medium, address }, order: { idServer: 'ASC' } });
    return rows.map((row) => row.idServer);
  }

  async remove(userId: string, medium: Medium, address: string, idServer: string): Promise<void> {
    await this.rows.delete({ bindingKey: bindingKey(userId, medium, address, idServer) });
  }
}

function bindingKey(userId: string, medium: string, address: string, idServer: string): string {
  return sha256Hex([userId, medium, address, idServer].join('\0'));
}
