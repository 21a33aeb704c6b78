import { CreateAccounts1764201600000 } from './1764201600000-create-accounts';
import { CreateValidationSessions1764979200000 } from './1764979200000-create-validation-sessions';
import { CreateUiaSessions1765411200000 } from './1765411200000-create-uia-sessions';
import { CreateThreePidBindings1766016000000 } from './1766016000000-create-threepid-bindings';
import { DetachFromAccounts1767225600000 } from './1767225600000-detach-from-accounts';
import { RecanonicaliseAddresses1768435200000 } from './1768435200000-recanonicalise-addresses';
import { RecordValidatingToken1768521600000 } from './1768521600000-record-validating-token';
import { AccessTokenExpiry1768608000000 } from './1768608000000-access-token-expiry';
import { ServerAdmins1769000000000 } from './1769000000000-server-admins';

/** Every migration, oldest first. A host application that runs its own migrations includes these. */
export const MIGRATIONS = [
  CreateAccounts1764201600000,
  CreateValidationSessions1764979200000,
  CreateUiaSessions1765411200000,
  CreateThreePidBindings1766016000000,
  DetachFromAccounts1767225600000,
  RecanonicaliseAddresses1768435200000,
  RecordValidatingToken1768521600000,
  AccessTokenExpiry1768608000000,
  ServerAdmins1769000000000,
];
