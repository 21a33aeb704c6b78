import { CreateAccounts1764201600000 } from './1764201600000-create-accounts';

/** Every migration, oldest first. A host application that runs its own migrations includes these. */
export const MIGRATIONS = [CreateAccounts1764201600000];
