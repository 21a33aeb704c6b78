import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { isUniqueViolation } from '../../database/unique-violation';
import { UserIdTakenError } from '../domain/auth.errors';
import { UserRepository } from '../domain/ports/user.repository';
import { User } from '../domain/user';
import { UserOrmEntity } from './user.orm-entity';

@Injectable()
export class TypeOrmUserRepository implements UserRepository {
  constructor(@InjectRepository(UserOrmEntity) private readonly rows: Repository<UserOrmEntity>) {}

  async findById(userId: string): Promise<User | undefined> {
    const row = await this.rows.findOneBy({ userId });
    return row ? { userId: row.userId, passwordHash: row.passwordHash, createdAt: row.createdAt, admin: Boolean(row.admin) } : undefined;
  }

  async create(user: User): Promise<void> {
    try {
      await this.rows.insert(user);
    } catch (error) {
      if (isUniqueViolation(error)) throw new UserIdTakenError(user.userId);
      throw error;
    }
  }
}
