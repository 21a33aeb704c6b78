import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AccessTokenRepository, IssuedAccessToken } from '../domain/ports/access-token.repository';
import { Requester } from '../domain/user';
import { AccessTokenOrmEntity } from './access-token.orm-entity';

@Injectable()
export class TypeOrmAccessTokenRepository implements AccessTokenRepository {
  constructor(@InjectRepository(AccessTokenOrmEntity) private readonly rows: Repository<AccessTokenOrmEntity>) {}

  async saveForDevice(token: IssuedAccessToken): Promise<void> {
    await this.rows.manager.transaction(async (manager) => {
      await manager.delete(AccessTokenOrmEntity, { userId: token.userId, deviceId: token.deviceId });
      await manager.insert(AccessTokenOrmEntity, token);
    });
  }

  async findRequester(tokenHash: string): Promise<Requester | undefined> {
    const row = await this.rows.findOne({ select: { userId: true, deviceId: true }, where: { tokenHash } });
    return row ? { userId: row.userId, deviceId: row.deviceId } : undefined;
  }
}
