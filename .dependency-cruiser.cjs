/**
 * The layer rule, checked by `npm run lint:layers` (README: Layout). Inside each feature of src/
 * (auth, threepid, signing: a folder with api/, application/, domain/, infrastructure/):
 *
 *     api → application → domain ← infrastructure
 *
 * A feature's *.module.ts and *.options.ts wire its layers and stand outside them; src/common is
 * shared by all. A feature may use another's api (decorators, DTOs), application and domain,
 * never its infrastructure.
 */
const FRAMEWORKS = ['^node_modules/@nestjs/', '^node_modules/(typeorm|fastify|@fastify|prom-client)/', '^(node:)?https?2?$'];

module.exports = {
  forbidden: [
    {
      name: 'domain-depends-on-nothing-outer',
      comment: 'The domain (entities, value objects, ports) imports no other layer, no wiring, no config, database or HTTP helpers.',
      severity: 'error',
      from: { path: '^src/[^/]+/domain/' },
      to: {
        path: ['^src/[^/]+/(api|application|infrastructure)/', '^src/[^/]+/[^/]+[.](module|options)[.]ts$', '^src/(config|database)/', '^src/common/(http|logging)/'],
      },
    },
    {
      name: 'domain-without-frameworks',
      comment: 'Nor Nest, TypeORM, Fastify, HTTP or Prometheus: the rules run as they are in any host, test or CLI.',
      severity: 'error',
      from: { path: '^src/[^/]+/domain/' },
      to: { path: FRAMEWORKS },
    },
    {
      name: 'application-depends-inwards',
      comment:
        'Application services use the domain and its ports: neither controllers nor adapters, nor TypeORM, Fastify, HTTP or prom-client (they count through ports such as ThreePidMetrics).',
      severity: 'error',
      from: { path: '^src/[^/]+/application/' },
      to: { path: ['^src/[^/]+/(api|infrastructure)/', ...FRAMEWORKS.filter((path) => !path.includes('@nestjs'))] },
    },
    {
      name: 'api-without-adapters',
      comment: 'Controllers, guards and DTOs reach adapters through application services and ports only.',
      severity: 'error',
      from: { path: '^src/[^/]+/api/' },
      to: { path: '^src/[^/]+/infrastructure/' },
    },
    {
      name: 'infrastructure-implements-ports',
      comment: 'Adapters implement ports (of the domain, or application/ports/); they know no controllers or services.',
      severity: 'error',
      from: { path: '^src/[^/]+/infrastructure/' },
      to: { path: '^src/[^/]+/(api/|application/(?!ports/))' },
    },
    {
      name: 'no-reaching-into-another-feature',
      comment: "A feature's tables and clients are its own (src/database lists every table for the migration CLI).",
      severity: 'error',
      from: { path: '^src/([^/]+)/', pathNot: '^src/database/' },
      to: { path: '^src/[^/]+/infrastructure/', pathNot: '^src/$1/' },
    },
  ],
  options: {
    // A type-only import is a dependency too: a domain that names TypeORM's types needs TypeORM.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
  },
};
