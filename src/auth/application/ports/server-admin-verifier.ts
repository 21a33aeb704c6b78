/**
 * Whether a user may use the server administration API (`@RequiresServerAdmin()`). AuthModule's
 * answer is the account's `admin` flag (`user:create --admin`); a host homeserver with its own
 * accounts passes its own to AuthGuardsModule, without which nobody is an administrator.
 */
export interface ServerAdminVerifier {
  isServerAdmin(userId: string): Promise<boolean>;
}
export const ServerAdminVerifier = Symbol('ServerAdminVerifier');

/** Nobody: the administration API answers 403 to every caller. */
export const NO_SERVER_ADMINS: ServerAdminVerifier = { isServerAdmin: async () => false };
