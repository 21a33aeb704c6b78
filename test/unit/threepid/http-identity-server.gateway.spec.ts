import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import type { ServerSigner } from '../../../src/signing/domain/ports/server-signer';
import { IdentityServerPolicy, IdServer } from '../../../src/threepid/domain/identity-server';
import { HttpIdentityServerGateway } from '../../../src/threepid/infrastructure/http-identity-server.gateway';
import { Resolver } from '../../../src/threepid/infrastructure/public-address';
import { FakeIdentityServer } from '../../support/fake-identity-server';
import { rejection } from '../../support/rejection';

/** Records what it was asked to sign; the e2e tests check real signatures against the published key. */
class RecordingSigner implements ServerSigner {
  readonly serverName = 'hs.example.org';
  readonly keyId = 'ed25519:a_test';
  readonly signed: object[] = [];
  signJson(value: object): string {
    this.signed.push(value);
    return 'c2lnbmF0dXJl';
  }
}

const BIND = '/_matrix/identity/v2/3pid/bind';
const UNBIND = '/_matrix/identity/v2/3pid/unbind';
const VALIDATED = '/_matrix/identity/v2/3pid/getValidated3pid';
const bindRequest = { sid: 'sid1', clientSecret: 'secret', mxid: '@alice:hs.example.org', idAccessToken: 'is-token' };
const unbindRequest = { mxid: '@alice:hs.example.org', medium: 'email', address: 'alice@example.org' };

describe(HttpIdentityServerGateway.name, () => {
  let fake: FakeIdentityServer;
  let signer: RecordingSigner;
  let idServer: IdServer;
  /** A gateway for which the fake (on 127.0.0.1) is allow-listed exactly, as the e2e tests do it. */
  const gateway = (options: { allowlist?: string[]; timeoutMs?: number; resolve?: Resolver } = {}) =>
    new HttpIdentityServerGateway(
      { scheme: 'http', timeoutMs: options.timeoutMs ?? 5_000 },
      new IdentityServerPolicy(options.allowlist ?? [fake.address]),
      signer,
      options.resolve,
    );

  beforeEach(async () => {
    fake = await FakeIdentityServer.start();
    signer = new RecordingSigner();
    idServer = IdServer.parse(fake.address);
  });
  afterEach(() => fake.stop());

  describe('bind', () => {
    it("POSTs the session and user with the identity server's access token, and returns the association it published", async () => {
      fake.addSession({ sid: 'sid1', clientSecret: 'secret', medium: 'email', address: 'alice@example.org' });
      fake.accessToken = 'is-token';
      await expect(gateway().bind(idServer, bindRequest)).resolves.toEqual({ medium: 'email', address: 'alice@example.org', mxid: '@alice:hs.example.org' });
      const [received] = fake.requests;
      expect(received).toMatchObject({ method: 'POST', path: BIND, body: { sid: 'sid1', client_secret: 'secret', mxid: '@alice:hs.example.org' } });
      expect(received.authorizations).toEqual(['Bearer is-token']);
      expect(received.headers['content-type']).toBe('application/json');
    });

    it.each([
      [400, { errcode: 'M_SESSION_NOT_VALIDATED', error: 'This validation session has not yet been completed' }, 'M_SESSION_NOT_VALIDATED'],
      [404, { errcode: 'M_NO_VALID_SESSION', error: 'No valid session was found' }, 'M_NO_VALID_SESSION'],
      [403, { errcode: 'M_TERMS_NOT_SIGNED', error: 'Please accept our updated terms of service' }, 'M_TERMS_NOT_SIGNED'],
      [401, { errcode: 'M_UNAUTHORIZED', error: 'Unrecognised access token' }, 'M_UNAUTHORIZED'],
      // A client would take these for its homeserver session ending.
      [401, { errcode: 'M_UNKNOWN_TOKEN', error: 'Unrecognised access token' }, 'M_UNAUTHORIZED'],
      [429, { errcode: 'M_LIMIT_EXCEEDED', error: 'Too many requests' }, 'M_LIMIT_EXCEEDED'],
    ])('relays a %i with its Matrix error', async (status, body, errcode) => {
      fake.respondNext(BIND, { status, body });
      const error = await rejection(gateway().bind(idServer, bindRequest));
      expect(error.toResponseBody()).toEqual({ errcode, error: body.error });
      expect(error.status).toBe(status);
    });

    it('relays a 4xx without a Matrix error as M_UNKNOWN with its status', async () => {
      fake.respondNext(BIND, { status: 418, body: '<html>teapot</html>', contentType: 'text/html' });
      const error = await rejection(gateway().bind(idServer, bindRequest));
      expect({ status: error.status, errcode: error.errcode, message: error.message }).toEqual({
        status: 418,
        errcode: 'M_UNKNOWN',
        message: `The identity server ${fake.address} refused the request (HTTP 418)`,
      });
    });

    it.each([
      ['a 500', { status: 500, body: { errcode: 'M_UNKNOWN', error: 'boom' } }, /failed \(HTTP 500\)/],
      ['a 503 without a body', { status: 503 }, /failed \(HTTP 503\)/],
      ['a 2xx that is not JSON', { status: 200, body: 'ok' }, /answer this homeserver cannot use \(not a JSON object\)/],
      ['a 2xx JSON array', { status: 200, body: [1, 2] }, /cannot use/],
    ])('answers %s with 502 M_UNKNOWN saying so', async (_case, response, message) => {
      fake.respondNext(BIND, response);
      const error = await rejection(gateway().bind(idServer, bindRequest));
      expect({ status: error.status, errcode: error.errcode }).toEqual({ status: 502, errcode: 'M_UNKNOWN' });
      expect(error.message).toMatch(message);
    });

    it('follows no redirect: a 3xx is a failure, and its target hears nothing', async () => {
      const target = await FakeIdentityServer.start();
      try {
        fake.respondNext(BIND, { status: 307, body: '' });
        const error = await rejection(gateway().bind(idServer, bindRequest));
        expect({ status: error.status, message: error.message }).toEqual({
          status: 502,
          message: `The identity server ${fake.address} failed (HTTP 307: redirects are not followed)`,
        });
        expect(target.requests).toEqual([]);
      } finally {
        await target.stop();
      }
    });

    it('reads at most 64 KiB of an answer', async () => {
      fake.respondNext(BIND, { status: 200, body: { padding: 'x'.repeat(70_000) } });
      const error = await rejection(gateway().bind(idServer, bindRequest));
      expect({ status: error.status, message: error.message }).toEqual({
        status: 502,
        message: `The identity server ${fake.address} gave an answer this homeserver cannot use (too large)`,
      });
    });

    it('gives up on a server that never answers at the timeout: 504', async () => {
      const { arrived } = fake.hangNext(BIND);
      const error = await rejection(gateway({ timeoutMs: 300 }).bind(idServer, bindRequest));
      await arrived;
      expect({ status: error.status, errcode: error.errcode, message: error.message }).toEqual({
        status: 504,
        errcode: 'M_UNKNOWN',
        message: `The identity server ${fake.address} did not answer in time`,
      });
    });

    it('answers 502 when nothing listens at the address', async () => {
      const closed = await unusedPort();
      const error = await rejection(gateway({ allowlist: [`127.0.0.1:${closed}`] }).bind(IdServer.parse(`127.0.0.1:${closed}`), bindRequest));
      expect({ status: error.status, message: error.message }).toEqual({ status: 502, message: `The identity server 127.0.0.1:${closed} could not be reached` });
    });
  });

  describe('unbind', () => {
    it('POSTs the 3PID signed by this homeserver, as Synapse signs it and Sydent verifies it', async () => {
      fake.respondNext(UNBIND, { status: 200, body: {} }); // the e2e tests have the fake verify real signatures
      await expect(gateway().unbind(idServer, unbindRequest)).resolves.toBe('success');
      const content = { mxid: '@alice:hs.example.org', threepid: { medium: 'email', address: 'alice@example.org' } };
      expect(signer.signed).toEqual([{ method: 'POST', uri: UNBIND, origin: 'hs.example.org', destination_is: fake.address, content }]);
      const [received] = fake.requests;
      expect(received).toMatchObject({ method: 'POST', path: UNBIND, body: content });
      expect(received.authorizations).toEqual([
        `X-Matrix origin="hs.example.org",destination="${fake.address}",key="ed25519:a_test",sig="c2lnbmF0dXJl"`,
      ]);
    });

    it.each([
      ['200', { status: 200, body: {} }, 'success'],
      ['400 without a Matrix error', { status: 400, body: 'Bad Request' }, 'no-support'],
      ['404 without a body', { status: 404 }, 'no-support'],
      ['404 M_UNRECOGNIZED', { status: 404, body: { errcode: 'M_UNRECOGNIZED', error: 'Unrecognized request' } }, 'no-support'],
      ['501', { status: 501, body: 'Not Implemented' }, 'no-support'],
    ])('answers a %s as %s', async (_case, response, result) => {
      fake.respondNext(UNBIND, response);
      await expect(gateway().unbind(idServer, unbindRequest)).resolves.toBe(result);
    });

    it.each([
      [403, { errcode: 'M_FORBIDDEN', error: 'Invalid homeserver signature' }],
      [400, { errcode: 'M_INVALID_PARAM', error: 'Bad threepid' }],
      [404, { errcode: 'M_NOT_FOUND', error: 'No such binding' }],
    ])('relays a %i with a Matrix error: the spec says to respect it, never to call it success', async (status, body) => {
      fake.respondNext(UNBIND, { status, body });
      const error = await rejection(gateway().unbind(idServer, unbindRequest));
      expect({ status: error.status, body: error.toResponseBody() }).toEqual({ status, body });
    });

    it('answers a 5xx with 502', async () => {
      fake.respondNext(UNBIND, { status: 502, body: 'Bad Gateway' });
      await expect(gateway().unbind(idServer, unbindRequest)).rejects.toMatchObject({ status: 502, errcode: 'M_UNKNOWN' });
    });
  });

  describe('getValidated3pid', () => {
    it('GETs the session with the access token, and returns what it validated', async () => {
      fake.addSession({ sid: 'is sid', clientSecret: 'se&cret', medium: 'msisdn', address: '447700900123', validatedAt: 1_700_000_000_000 });
      await expect(gateway().getValidated3pid(idServer, { sid: 'is sid', clientSecret: 'se&cret', idAccessToken: fake.accessToken })).resolves.toEqual({
        medium: 'msisdn',
        address: '447700900123',
        validatedAt: 1_700_000_000_000,
      });
      expect(fake.requests[0]).toMatchObject({ method: 'GET', path: `${VALIDATED}?sid=is+sid&client_secret=se%26cret` });
      expect(fake.requests[0].authorizations).toEqual([`Bearer ${fake.accessToken}`]);
    });

    it('relays the refusal of a session it did not validate', async () => {
      fake.addSession({ sid: 's', clientSecret: 'c', medium: 'email', address: 'a@example.org', validated: false });
      const error = await rejection(gateway().getValidated3pid(idServer, { sid: 's', clientSecret: 'c', idAccessToken: fake.accessToken }));
      expect({ status: error.status, errcode: error.errcode }).toEqual({ status: 400, errcode: 'M_SESSION_NOT_VALIDATED' });
    });
  });

  describe('where it connects', () => {
    it.each([
      ['a loopback IP literal', () => fake.address],
      ['a name that resolves to loopback', () => `localhost:${portOf(fake)}`],
    ])('refuses %s not on the allow-list with 400 M_SERVER_NOT_TRUSTED, sending nothing', async (_case, target) => {
      const error = await rejection(gateway({ allowlist: [] }).bind(IdServer.parse(target()), bindRequest));
      expect({ status: error.status, errcode: error.errcode }).toEqual({ status: 400, errcode: 'M_SERVER_NOT_TRUSTED' });
      expect(fake.requests).toEqual([]);
    });

    it('lets an exactly allow-listed name reach a private address, and only that name', async () => {
      fake.addSession({ sid: 'sid1', clientSecret: 'secret', medium: 'email', address: 'alice@example.org' });
      fake.accessToken = 'is-token';
      const listed = gateway({ allowlist: [`localhost:${portOf(fake)}`] });
      await expect(listed.bind(IdServer.parse(`localhost:${portOf(fake)}`), bindRequest)).resolves.toMatchObject({ medium: 'email' });
      await expect(listed.bind(IdServer.parse(fake.address), bindRequest)).rejects.toMatchObject({ errcode: 'M_SERVER_NOT_TRUSTED' });
      expect(fake.requests).toHaveLength(1);
    });

    it('connects to the address it checked, so a DNS answer that changes afterwards (rebinding) reaches nothing', async () => {
      let lookups = 0;
      // Public when checked, loopback (the fake) on any later lookup: a check-then-connect client would reach the fake.
      const rebinding: Resolver = async () => (++lookups === 1 ? [{ address: '192.88.100.1', family: 4 }] : [{ address: '127.0.0.1', family: 4 }]);
      const error = await rejection(gateway({ allowlist: [], timeoutMs: 500, resolve: rebinding }).bind(IdServer.parse(`rebind.example:${portOf(fake)}`), bindRequest));
      expect([502, 504]).toContain(error.status);
      expect(lookups).toBe(1);
      expect(fake.requests).toEqual([]);
    });

    it('refuses a name with any non-public address, whatever else it resolves to', async () => {
      const mixed: Resolver = async () => [
        { address: '192.88.100.1', family: 4 },
        { address: '169.254.169.254', family: 4 },
      ];
      await expect(gateway({ allowlist: [], resolve: mixed }).bind(IdServer.parse('mixed.example'), bindRequest)).rejects.toMatchObject({
        status: 400,
        errcode: 'M_SERVER_NOT_TRUSTED',
      });
    });
  });
});

async function unusedPort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function portOf(fake: FakeIdentityServer): string {
  return fake.address.split(':')[1];
}
