import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { Registry } from 'prom-client';
import { METRICS_MODULE_OPTIONS, type MetricsModuleOptions } from '../metrics.options';

/**
 * GET /metrics in Prometheus's text format, on a plain node:http listener of its own (METRICS_PORT
 * on BIND_ADDRESS), as Synapse serves its metrics: never on the client port, so that what it tells
 * an operator reaches no client, and it works while the client port is overloaded. Opened when the
 * application starts and closed when it closes; an application without an HTTP server (the CLI)
 * opens none.
 */
@Injectable()
export class MetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MetricsServer.name);
  private server?: Server;

  constructor(
    @Inject(METRICS_MODULE_OPTIONS) private readonly options: MetricsModuleOptions,
    private readonly registry: Registry,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  /** Where GET /metrics is answered, once listening. */
  get url(): string | undefined {
    const address = this.server?.address() as AddressInfo | null | undefined;
    if (!address) return undefined;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `http://${host}:${address.port}/metrics`;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.adapterHost.httpAdapter) return;
    const server = createServer((request, response) => void this.answer(request, response));
    const { port, bindAddress } = this.options;
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, bindAddress, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      throw new Error(`Cannot listen for metrics on BIND_ADDRESS ${bindAddress}, METRICS_PORT ${port}: ${(error as Error).message}`);
    }
    this.server = server;
    this.logger.log(`Serving metrics at ${this.url}`);
  }

  /** After the client port closed; a scrape being answered is finished first, idle connections are closed. */
  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '').split('?', 1)[0];
    if (path !== '/metrics') return plain(response, 404, 'Not Found');
    if (request.method !== 'GET' && request.method !== 'HEAD') return plain(response, 405, 'Method Not Allowed', { allow: 'GET, HEAD' });
    let body: string;
    try {
      body = await this.registry.metrics();
    } catch (error) {
      this.logger.error({ err: error }, 'Could not collect the metrics');
      return plain(response, 500, 'Could not collect the metrics');
    }
    response.writeHead(200, { 'content-type': this.registry.contentType, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
    response.end(request.method === 'HEAD' ? undefined : body);
  }
}

function plain(response: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
  response.end(`${text}\n`);
}
