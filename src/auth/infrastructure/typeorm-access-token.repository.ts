import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { runAtomically } from '../../database/atomic';
import { AccessTokenRepository, IssuedAccessToken } from '../domain/ports/access-token.repository';
import { Requester } from '../domain/user';
import { AccessTokenOrmEntity } from './access-token.orm-entity';

@Injectable()
export class TypeOrmAccessTokenRepository implements AccessTokenRepository {
  constructor(@InjectRepository(AccessTokenOrmEntity) private readonly rows: Repository<AccessTokenOrmEntity>) {}

  /** The device's earlier token goes in the same transaction, so that a device never has two. */
  async saveForDevice(token: IssuedAccessToken): Promise<void> {
    await runAtomically(this.rows.manager.connection, [
      { sql: 'DELETE FROM access_tokens WHERE user_id = ? AND device_id = ?', parameters: [token.userId, token.deviceId] },
      {
        sql: 'INSERT INTO access_tokens (token_hash, user_id, device_id, created_at) VALUES (?, ?, ?, ?)',
        parameters: [token.tokenHash, token.userId, token.deviceId, token.createdAt],
      },
    ]);
  }

  /** On every authenticated request (unless remembered): plain SQL, without the query builder's work per call. */
  async findRequester(tokenHash: string): Promise<Requester | undefined> {
    const [row] = await this.rows.manager.connection.query<{ user_id: string; device_id: string }[]>(
      'SELECT user_id, device_id FROM access_tokens WHERE token_hash = ?',
      [tokenHash],
    );
    return row ? { userId: row.user_id, deviceId: row.device_id } : undefined;
  }
}
