// typescript-eslint flat config for the whole monorepo.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/.next/**',
      '**/dist/**',
      '**/__generated__/**',
      'web/src/gql/**',
      'web/next-env.d.ts',
      'web/test-results/**',
      '.data/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', fetch: 'readonly',
        setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly',
        Headers: 'readonly', Request: 'readonly', Response: 'readonly', AbortController: 'readonly',
        window: 'readonly', document: 'readonly', navigator: 'readonly', localStorage: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  // Layers (README "Layout"): HTTP → viewer → transport (rest/, graphql/) → domain/ → db/.
  // api/test/lint-boundaries.test.ts proves these bite.
  {
    files: ['api/src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          {
            regex: '^(fastify|fastify-plugin|@fastify/|@apollo/|@as-integrations/|graphql(-[a-z-]+)?(/|$)|better-auth|@better-auth/)',
            message: 'The domain speaks no HTTP, GraphQL or auth library: take plain values, throw domain errors.',
          },
          {
            regex: '^\\.{1,2}/(\\.\\./)*(plugins|rest|graphql)/',
            message: 'The domain does not import a transport (plugins/, rest/, graphql/): they call it, not the other way round.',
          },
        ],
      }],
    },
  },
  {
    files: ['api/src/rest/**/*.ts', 'api/src/graphql/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ regex: '^\\.{1,2}/(\\.\\./)*db/', message: 'Transports hold no SQL: go through a domain service.' }],
      }],
    },
  },
);
