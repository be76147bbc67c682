import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'cdk.out/',
      'dist/',
      '.data/',
      'coverage/',
      'bin/connector-cli.js',
      '**/*.generated.json',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: {
      globals: { require: 'readonly', module: 'writable', process: 'readonly', __dirname: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The core is pure: no AWS, HTTP, database or SDK imports. Adapters implement its ports.
    files: ['lambdas/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['aws-cdk-lib', 'aws-cdk-lib/*', '@aws-sdk/*', '@aws-lambda-powertools/*', 'aws-lambda'],
              message: 'core is pure: put AWS code in lambdas/adapters',
            },
            {
              group: ['xero-node', 'xero-node/*', 'dynamics-web-api', '@azure/*', 'better-sqlite3'],
              message: 'core is pure: put SDK code in lambdas/adapters',
            },
            {
              group: ['http', 'https', 'node:http', 'node:https', 'net', 'node:net', 'fs', 'node:fs'],
              message: 'core is pure: no I/O',
            },
          ],
        },
      ],
    },
  },
  {
    // Time is injected (the Clock port): only lambdas/adapters/system-clock.ts reads the wall clock, so tests own
    // time and a date-dependent bug cannot hide behind a fixed test clock (issue: the token-service time bomb).
    files: ['lambdas/**/*.ts', 'src/local/**/*.ts'],
    ignores: ['lambdas/adapters/system-clock.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='Date'][property.name='now']",
          message: 'read time from the injected Clock (or systemNow in a composition root), not Date.now',
        },
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'read time from the injected Clock (or systemClock in a composition root), not new Date()',
        },
        {
          // Bundle size (docs/benchmarks.md, Lambda bundles): the named `z` export holds all of zod v4.
          selector: "ImportDeclaration[source.value='zod'] > ImportSpecifier[imported.name='z']",
          message: "import * as z from 'zod': esbuild tree-shakes the namespace, the named z keeps all of zod",
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  }
);
