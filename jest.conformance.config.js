/** `npm run test:conformance`: the served OpenAPI document and real answers against the Matrix spec in SPEC_DIR (../shared/spec). */
module.exports = {
  displayName: 'conformance',
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  testMatch: ['<rootDir>/test/conformance/**/*.conformance-spec.ts'],
};
