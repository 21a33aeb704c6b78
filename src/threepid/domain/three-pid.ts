import { Medium } from './medium';

/**
 * A third-party identifier on a user's account. The address is canonical (e-mail lower-cased,
 * phone numbers as E.164 digits), so one address belongs to at most one account.
 */
export class ThreePid {
  constructor(
    readonly userId: string,
    readonly medium: Medium,
    readonly address: string,
    /** When the owner proved control of the address, in ms. */
    readonly validatedAt: number,
    /** When the homeserver associated it with the account, in ms. */
    readonly addedAt: number,
  ) {}
}
