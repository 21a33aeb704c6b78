/** Unit tests need nothing running; e2e tests start the whole app (SQLite, and MariaDB when TEST_MYSQL_URL is set). */
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] };

module.exports = {
  projects: [
    { displayName: 'unit', testEnvironment: 'node', transform, testMatch: ['<rootDir>/test/unit/**/*.spec.ts'] },
    { displayName: 'e2e', testEnvironment: 'node', transform, testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'] },
  ],
};
