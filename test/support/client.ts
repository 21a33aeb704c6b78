/** A client of the 3PID API, as a real one drives it: tokens by mail and SMS, UIA in two steps. */
import type { Response, Test } from 'supertest';
import { SmsWebhook } from './sms-webhook';
import { SmtpSink } from './smtp-sink';
import { TEST_PASSWORD, TestApp } from './test-app';

export const THREEPIDS = '/_matrix/client/v3/account/3pid';
export const ADD = '/_matrix/client/v3/account/3pid/add';
export const DELETE = '/_matrix/client/v3/account/3pid/delete';
export const LOGIN = '/_matrix/client/v3/login';
export const EMAIL_REQUEST = '/_matrix/client/v3/account/3pid/email/requestToken';
export const MSISDN_REQUEST = '/_matrix/client/v3/account/3pid/msisdn/requestToken';
export const MSISDN_SUBMIT = '/_matrix/client/unstable/add_threepid/msisdn/submit_token';

/** The `auth` of an m.login.password stage for `user`. */
export const passwordAuth = (user: string, extra: Record<string, unknown> = {}) => ({
  type: 'm.login.password',
  identifier: { type: 'm.id.user', user },
  password: TEST_PASSWORD,
  ...extra,
});

/** Named rather than inferred, so that declarations need no path into node_modules (a linked one, in a worktree). */
export interface ApiClient {
  validateEmail(email: string, clientSecret?: string): Promise<{ sid: string; client_secret: string }>;
  validatePhone(phoneNumber: string, clientSecret?: string): Promise<{ sid: string; client_secret: string }>;
  add(token: string, body: Record<string, unknown>): Test;
  addWithUia(token: string, user: string, credentials: Record<string, unknown>): Promise<Response>;
  list(token: string): Promise<any>;
  remove(token: string, body: Record<string, unknown>): Test;
  login(body: Record<string, unknown>): Test;
}

/** A client of the API, as a real one drives it: tokens by mail and SMS, UIA in two steps. */
export function clientOf(t: () => TestApp, smtp: () => SmtpSink, sms: () => SmsWebhook): ApiClient {
  const client: ApiClient = {
    /** requestToken, then the link from the received e-mail, confirmed as a browser does; returns the session. */
    async validateEmail(email: string, clientSecret = 'client-secret'): Promise<{ sid: string; client_secret: string }> {
      const { sid } = (await t().http().post(EMAIL_REQUEST).send({ client_secret: clientSecret, email, send_attempt: 1 }).expect(200)).body;
      const link = smtp().lastLink();
      await t().http().get(link.pathname + link.search).expect(200);
      await t().http().post(link.pathname + link.search).type('form').send('').expect(200);
      return { sid, client_secret: clientSecret };
    },

    /** requestToken, then the code from the received SMS submitted where the answer says. */
    async validatePhone(phoneNumber: string, clientSecret = 'client-secret'): Promise<{ sid: string; client_secret: string }> {
      const answer = await t().http().post(MSISDN_REQUEST).send({ client_secret: clientSecret, country: 'GB', phone_number: phoneNumber, send_attempt: 1 });
      expect(answer.status).toBe(200);
      const submitPath = new URL(answer.body.submit_url).pathname;
      expect(submitPath).toBe(MSISDN_SUBMIT);
      await t().http().post(submitPath).send({ sid: answer.body.sid, client_secret: clientSecret, token: sms().lastCode() }).expect(200);
      return { sid: answer.body.sid, client_secret: clientSecret };
    },

    add: (token: string, body: Record<string, unknown>) => t().http().post(ADD).auth(token, { type: 'bearer' }).send(body),

    /** The two-step UIA exchange: the 401 gives a session, the password completes it. */
    async addWithUia(token: string, user: string, credentials: Record<string, unknown>) {
      const challenge = await client.add(token, credentials).expect(401);
      return client.add(token, { ...credentials, auth: passwordAuth(user, { session: challenge.body.session }) });
    },

    list: async (token: string) => (await t().http().get(THREEPIDS).auth(token, { type: 'bearer' }).expect(200)).body.threepids,

    remove: (token: string, body: Record<string, unknown>) => t().http().post(DELETE).auth(token, { type: 'bearer' }).send(body),

    login: (body: Record<string, unknown>) => t().http().post(LOGIN).send({ type: 'm.login.password', password: TEST_PASSWORD, ...body }),
  };
  return client;
}

