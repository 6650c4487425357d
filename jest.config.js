/** Unit tests run in Node (pure modules) and jsdom (renderer, per-file docblock). */
module.exports = {
  testEnvironment: 'node',
  // Inside the repository (git-ignored), not in the system temp folder.
  cacheDirectory: '<rootDir>/.cache/jest',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.spec.ts'],
  setupFiles: ['<rootDir>/test/support/jsdom-globals.js'],
  transform: {
    '^.+\\.(t|j)sx?$': [
      'ts-jest',
      {
        tsconfig: {
          module: 'commonjs',
          rootDir: '.',
          noEmitOnError: false,
          esModuleInterop: true,
          resolveJsonModule: true,
          strict: true,
          skipLibCheck: true,
          target: 'ES2020',
          allowJs: true,
          lib: ['DOM', 'DOM.Iterable', 'ES2020'],
          types: ['jest', 'node']
        },
        diagnostics: { warnOnly: false }
      }
    ]
  },
  transformIgnorePatterns: [
    '/node_modules/(?!(@jupyterlab|@jupyter|@lumino|@codemirror|@microsoft|exenv-es6|lib0|y-protocols|yjs|nanoid|vscode-ws-jsonrpc)/)'
  ],
  moduleNameMapper: {
    '\\.(css|less|svg)$': '<rootDir>/test/support/style-mock.js'
  },
  testTimeout: 60000
};
