// One jest run for the whole workspace: unit specs beside the code, integration
// specs (*.int-spec.ts) against the real PostgreSQL and NATS, end-to-end specs in tests/.
const swc = [
  '@swc/jest',
  {
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      keepClassNames: true,
    },
    module: { type: 'es6' },
    sourceMaps: 'inline',
  },
];

export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: {
    '^@blockplane/kube-sim$': '<rootDir>/tools/kube-sim/src/index.ts',
    '^@blockplane/([a-z-]+)/testing$': '<rootDir>/libs/$1/src/testing/index.ts',
    '^@blockplane/([a-z-]+)$': '<rootDir>/libs/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testMatch: ['<rootDir>/{apps,libs,tools,tests}/**/*.{spec,int-spec,e2e-spec}.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  globalSetup: '<rootDir>/tools/dev/jest-global-setup.mjs',
  maxWorkers: 2,
  testTimeout: 30000,
};
