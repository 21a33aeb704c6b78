import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { isUniqueViolation } from '../../database/unique-violation';
import { Medium } from '../domain/medium';
import { ThreePidRepository } from '../domain/ports/three-pid.repository';
import { ThreePid } from '../domain/three-pid';
import { ThreePidInUseError } from '../domain/three-pid.errors';
import { ThreePidOrmEntity } from './three-pid.orm-entity';

@Injectable()
export class TypeOrmThreePidRepository implements ThreePidRepository {
  constructor(@InjectRepository(ThreePidOrmEntity) private readonly rows: Repository<ThreePidOrmEntity>) {}

  async findByUser(userId: string): Promise<ThreePid[]> {
    const rows = await this.rows.find({ where: { userId }, order: { addedAt: 'ASC', medium: 'ASC', address: 'ASC' } });
    return rows.map(toDomain);
  }

  async isInUse(medium: Medium, address: string): Promise<boolean> {
    return this.rows.exists({ where: { medium, address } });
  }

  async add(threePid: ThreePid): Promise<void> {
    try {
      await this.rows.insert({ ...threePid });
    } catch (error) {
      if (isUniqueViolation(error)) throw new ThreePidInUseError();
      throw error;
    }
  }
}

function toDomain(row: ThreePidOrmEntity): ThreePid {
  return new ThreePid(row.userId, row.medium as Medium, row.address, row.validatedAt, row.addedAt);
}
