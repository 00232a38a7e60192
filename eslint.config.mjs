import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/coverage/**', '.nx/**', '**/migrations/**'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Nest's dynamic modules and decorators use classes as tokens and namespaces.
      '@typescript-eslint/no-extraneous-class': 'off',
      '@nx/enforce-module-boundaries': ['error', { allow: [], depConstraints: boundaries() }],
    },
  },
  {
    // An app's integration specs run it against the Kubernetes simulator (a tool); its code never may.
    files: ['apps/**/*.int-spec.ts'],
    rules: {
      '@nx/enforce-module-boundaries': ['error', { allow: [], depConstraints: boundaries(['type:tool']) }],
    },
  },
  {
    // The dashboard benchmark boots the servers service and the gateway in its own process.
    files: ['bench/src/dashboard.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          allow: ['@blockplane/servers/dist/servers.app.js', '@blockplane/gateway/dist/gateway.app.js'],
          depConstraints: boundaries(),
        },
      ],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', fetch: 'readonly', setTimeout: 'readonly' },
    },
  },
  prettier,
);

/** Which tags may depend on which; `appExtras` widens what apps may use (their integration specs). */
function boundaries(appExtras = []) {
  return [
    { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: [] },
    { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib', 'type:contracts', 'type:testing'] },
    { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:lib', 'type:contracts', 'type:tool'] },
    { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib', 'type:contracts', 'type:testing', ...appExtras] },
    { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:tool', 'type:lib', 'type:contracts', 'type:testing'] },
    { sourceTag: 'type:bench', onlyDependOnLibsWithTags: ['type:tool', 'type:lib', 'type:contracts', 'type:testing'] },
    { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:tool', 'type:lib', 'type:contracts', 'type:testing'] },
  ];
}
