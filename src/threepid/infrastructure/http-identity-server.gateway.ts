import * as http from 'node:http';
import * as https from 'node:https';
import { isIP, type LookupFunction, type Socket } from 'node:net';
import type { MatrixError } from '../../common/errors/matrix-error';
import type { ServerSigner } from '../../signing/domain/ports/server-signer';
import { IdServer, IdentityServerPolicy } from '../domain/identity-server';
import { IdentityServerRefusedError, IdentityServerUnavailableError, IdServerNotTrustedError } from '../domain/identity-server.errors';
import {
  BindRequest,
  IdentityServerGateway,
  PublishedAssociation,
  UnbindRequest,
  UnbindResult,
  ValidatedSessionQuery,
  ValidatedThreePid,
} from '../domain/ports/identity-server.gateway';
import { isPublicAddress, NonPublicAddressError, publicOnlyLookup, Resolver, systemResolver } from './public-address';

export interface HttpIdentityServerSettings {
  /** `https` in production; `http` for identity servers on a trusted network (and tests). */
  scheme: 'https' | 'http';
  /** Each call, from connecting to the last byte of the answer. */
  timeoutMs: number;
}

const API_PREFIX = '/_matrix/identity/v2';
/** Far more than any answer of these endpoints; a larger one is not read. */
const MAX_RESPONSE_BYTES = 64 * 1024;
/** An identity server's message is relayed to the client, but not at any length. */
const MAX_RELAYED_MESSAGE_LENGTH = 500;
const ERRCODE = /^[A-Za-z0-9_.]{1,128}$/;
/**
 * Errcodes a client takes as being about its homeserver session (matrix-js-sdk logs out on
 * M_UNKNOWN_TOKEN): from an identity server they mean its own token, which the spec calls M_UNAUTHORIZED.
 */
const HOMESERVER_TOKEN_ERRCODES = new Set(['M_UNKNOWN_TOKEN', 'M_MISSING_TOKEN']);

interface Answer {
  status: number;
  text: string;
}

class ResponseTooLargeError extends Error {}
class ConnectionClosedError extends Error {}

/**
 * The Identity Service API over HTTP(S), with node:http so that this homeserver decides where each
 * connection goes: only to public addresses (unless the exact server is allow-listed), checked on
 * the addresses actually connected to; no redirect is followed; every call ends within the timeout
 * and reads a bounded answer.
 */
export class HttpIdentityServerGateway implements IdentityServerGateway {
  private readonly lookupPublicOnly: LookupFunction;

  constructor(
    private readonly settings: HttpIdentityServerSettings,
    private readonly policy: IdentityServerPolicy,
    private readonly signer: ServerSigner,
    resolve: Resolver = systemResolver,
  ) {
    this.lookupPublicOnly = publicOnlyLookup(resolve);
  }

  async bind(idServer: IdServer, request: BindRequest): Promise<PublishedAssociation> {
    const answer = await this.call(idServer, 'POST', `${API_PREFIX}/3pid/bind`, {
      body: { sid: request.sid, client_secret: request.clientSecret, mxid: request.mxid },
      authorization: `Bearer ${request.idAccessToken}`,
    });
    const json = this.successOf(idServer, answer);
    return { medium: json.medium, address: json.address, mxid: json.mxid };
  }

  /**
   * Signed as Synapse signs it and Sydent verifies it: the signed object names the identity server
   * as `destination_is`. @see spec: POST /3pid/unbind — a 400, 404 or 501 whose body is not a Matrix
   * error means the server does not support unbinding; a Matrix error is respected (relayed).
   */
  async unbind(idServer: IdServer, request: UnbindRequest): Promise<UnbindResult> {
    const uri = `${API_PREFIX}/3pid/unbind`;
    const content = { mxid: request.mxid, threepid: { medium: request.medium, address: request.address } };
    const signature = this.signer.signJson({
      method: 'POST',
      uri,
      origin: this.signer.serverName,
      destination_is: idServer.toString(),
      content,
    });
    const authorization =
      `X-Matrix origin="${this.signer.serverName}",destination="${idServer}",` + `key="${this.signer.keyId}",sig="${signature}"`;
    const answer = await this.call(idServer, 'POST', uri, { body: content, authorization });
    if (isSuccess(answer.status)) return 'success';
    if ([400, 404, 501].includes(answer.status)) {
      const errcode = matrixErrcodeOf(answer.text);
      if (errcode === undefined || errcode === 'M_UNRECOGNIZED') return 'no-support';
    }
    throw this.refusalOf(idServer, answer);
  }

  async getValidated3pid(idServer: IdServer, query: ValidatedSessionQuery): Promise<ValidatedThreePid> {
    const parameters = new URLSearchParams({ sid: query.sid, client_secret: query.clientSecret });
    const answer = await this.call(idServer, 'GET', `${API_PREFIX}/3pid/getValidated3pid?${parameters}`, {
      authorization: `Bearer ${query.idAccessToken}`,
    });
    const json = this.successOf(idServer, answer);
    return { medium: json.medium, address: json.address, validatedAt: json.validated_at };
  }

  private successOf(idServer: IdServer, answer: Answer): Record<string, unknown> {
    if (!isSuccess(answer.status)) throw this.refusalOf(idServer, answer);
    const json = jsonObjectOf(answer.text);
    if (!json) throw new IdentityServerUnavailableError('invalid-answer', idServer, 'not a JSON object');
    return json;
  }

  /** A 4xx is the identity server's answer to relay; anything else means it could not be used. */
  private refusalOf(idServer: IdServer, answer: Answer): MatrixError {
    const { status } = answer;
    if (status >= 400 && status < 500) {
      const json = jsonObjectOf(answer.text);
      let errcode = typeof json?.errcode === 'string' && ERRCODE.test(json.errcode) ? json.errcode : 'M_UNKNOWN';
      if (HOMESERVER_TOKEN_ERRCODES.has(errcode)) errcode = 'M_UNAUTHORIZED';
      const message =
        typeof json?.error === 'string' && json.error.length > 0
          ? json.error.slice(0, MAX_RELAYED_MESSAGE_LENGTH)
          : `The identity server ${idServer} refused the request (HTTP ${status})`;
      return new IdentityServerRefusedError(status, errcode, message);
    }
    if (status >= 300 && status < 400) return new IdentityServerUnavailableError('failed', idServer, `HTTP ${status}: redirects are not followed`);
    return new IdentityServerUnavailableError('failed', idServer, `HTTP ${status}`);
  }

  private async call(
    idServer: IdServer,
    method: 'GET' | 'POST',
    path: string,
    { body, authorization }: { body?: object; authorization: string },
  ): Promise<Answer> {
    const mayBePrivate = this.policy.isListed(idServer);
    if (!mayBePrivate && isIP(idServer.host) && !isPublicAddress(idServer.host)) throw new IdServerNotTrustedError(idServer);
    const signal = AbortSignal.timeout(this.settings.timeoutMs);
    try {
      return await this.send(idServer, method, path, body, authorization, mayBePrivate, signal);
    } catch (error) {
      if (error instanceof NonPublicAddressError) throw new IdServerNotTrustedError(idServer);
      if (signal.aborted) throw new IdentityServerUnavailableError('timeout', idServer);
      if (error instanceof ResponseTooLargeError) throw new IdentityServerUnavailableError('invalid-answer', idServer, 'too large');
      throw new IdentityServerUnavailableError('unreachable', idServer);
    }
  }

  private send(
    idServer: IdServer,
    method: string,
    path: string,
    body: object | undefined,
    authorization: string,
    mayBePrivate: boolean,
    signal: AbortSignal,
  ): Promise<Answer> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body), 'utf8');
    const transport = this.settings.scheme === 'https' ? https : http;
    return new Promise<Answer>((resolve, reject) => {
      let settled = false;
      const settle = (error: unknown, answer?: Answer) => {
        if (settled) return;
        settled = true;
        if (error) reject(error);
        else resolve(answer!);
      };
      const request = transport.request(
        {
          host: idServer.host,
          port: idServer.port,
          method,
          path,
          headers: {
            accept: 'application/json',
            authorization,
            ...(payload && { 'content-type': 'application/json', 'content-length': payload.length }),
          },
          // A fresh connection per call, each one checked; none reused from a pool.
          agent: false,
          lookup: mayBePrivate ? undefined : this.lookupPublicOnly,
          signal,
        },
        (response) => {
          const chunks: Buffer[] = [];
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_RESPONSE_BYTES) {
              settle(new ResponseTooLargeError());
              request.destroy();
            } else {
              chunks.push(chunk);
            }
          });
          response.on('end', () => settle(undefined, { status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          response.on('error', settle);
          response.on('close', () => settle(new ConnectionClosedError()));
        },
      );
      request.on('error', settle);
      if (!mayBePrivate) {
        // The addresses were checked when resolved; this checks the one the socket really reached.
        request.on('socket', (socket: Socket) => {
          const check = () => {
            if (!isPublicAddress(socket.remoteAddress ?? '')) {
              settle(new NonPublicAddressError(socket.remoteAddress ?? 'unknown'));
              request.destroy();
            }
          };
          // Before the socket's own 'connect' listeners, which flush the request to it.
          if (socket.connecting) socket.prependOnceListener('connect', check);
          else check();
        });
      }
      request.end(payload);
    });
  }
}

function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

function jsonObjectOf(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function matrixErrcodeOf(text: string): string | undefined {
  const json = jsonObjectOf(text);
  return typeof json?.errcode === 'string' ? json.errcode : undefined;
}
