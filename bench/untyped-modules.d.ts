/** The parts of autocannon 9 and better-sqlite3 the benchmark uses (neither ships types). */
declare module 'autocannon' {
  function autocannon(options: autocannon.Options): Promise<autocannon.Result>;
  namespace autocannon {
    interface Request {
      method?: string;
      path?: string;
      headers?: Record<string, string>;
      body?: string;
      setupRequest?: (request: Request) => Request;
    }
    interface Options {
      url: string;
      connections: number;
      duration: number;
      requests?: Request[];
    }
    interface Histogram {
      average: number;
      p50: number;
      p99: number;
    }
    interface Result {
      requests: Histogram;
      latency: Histogram;
      non2xx: number;
      errors: number;
      timeouts: number;
    }
  }
  export = autocannon;
}

declare module 'better-sqlite3' {
  interface Statement {
    readonly reader: boolean;
    all(...parameters: unknown[]): unknown[];
    get(...parameters: unknown[]): unknown;
    run(...parameters: unknown[]): { changes: number };
  }
  class Database {
    constructor(path: string);
    prepare(sql: string): Statement;
    pragma(source: string): unknown;
    transaction(work: () => void): () => void;
    close(): void;
  }
  export = Database;
}
