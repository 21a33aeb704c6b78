import { AccessTokenOrmEntity } from '../auth/infrastructure/access-token.orm-entity';
import { FailedAttemptOrmEntity } from '../auth/infrastructure/failed-attempt.orm-entity';
import { UiaSessionOrmEntity } from '../auth/infrastructure/uia-session.orm-entity';
import { UserOrmEntity } from '../auth/infrastructure/user.orm-entity';
import { ThreePidBindingOrmEntity } from '../threepid/infrastructure/three-pid-binding.orm-entity';
import { ThreePidOrmEntity } from '../threepid/infrastructure/three-pid.orm-entity';
import { ValidationSessionOrmEntity } from '../threepid/infrastructure/validation-session.orm-entity';

/**
 * Every ORM entity, for tools that need the whole model at once (the migration CLI).
 * The app itself registers them per feature module.
 */
export const ENTITIES = [
  UserOrmEntity,
  AccessTokenOrmEntity,
  UiaSessionOrmEntity,
  FailedAttemptOrmEntity,
  ThreePidOrmEntity,
  ValidationSessionOrmEntity,
  ThreePidBindingOrmEntity,
];
