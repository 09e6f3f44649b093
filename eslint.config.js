// ESLint (flat config) with typescript-eslint; formatting is Prettier's job (eslint-config-prettier).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'cdk.out/**',
      'packages/*/dist/**',
      'node_modules/**',
      '.bench/**',
      '.check-*/**',
      'coverage/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { disallowTypeAnnotations: false }],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } },
  },
  {
    // The core is pure (DESIGN.md); dependency-cruiser checks the same, this says it in the editor.
    files: ['functions/core/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            '@aws-sdk/*',
            '@middy/*',
            '@aws-lambda-powertools/*',
            'aws-lambda',
            'pg',
            'aws-cdk-lib',
            'aws-cdk-lib/*',
          ],
        },
      ],
    },
  },
);
