import type { PasswordCredentials } from '../../application/password-authenticator';
import type { PasswordFields } from './login.dto';

/** The password fields of a login or UIA body, in domain terms. */
export function passwordCredentials(body: PasswordFields): PasswordCredentials {
  return {
    identifier: body.identifier && { ...body.identifier },
    user: body.user,
    medium: body.medium,
    address: body.address,
    password: body.password,
  };
}
