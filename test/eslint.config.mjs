// ESLint flat config (`npm run lint`, `npm run lint:fix`); it lives in test/ because the top level is fixed, so the
// scripts pass it with `-c` and patterns resolve from the repository root (the working directory of `npm run`).
//
// The rules write down the conventions the code already follows: the house style's lint settings (projen's defaults
// for cdk8s-plus: 2 spaces, single quotes, semicolons, trailing commas, max-len 150, alphabetized imports, member
// ordering), minus `arrow-parens`, since this code writes `x => …`. Syntax rules only: no type-aware rule, so a run
// parses each file once and builds no TypeScript program.
import stylistic from '@stylistic/eslint-plugin';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['node_modules/**', 'lib/**', 'dist/**', 'imports/**', 'test/fixtures/**', 'coverage/**', '.dist-staging-*/**'],
  },
  {
    files: ['src/**/*.ts', 'test/**/*.ts', 'src/**/*.js', 'test/**/*.js', 'test/**/*.mjs'],
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    languageOptions: {
      parser: tseslint.parser,
      ecmaVersion: 2022,
      sourceType: 'module',
    },
    plugins: {
      '@stylistic': stylistic,
      '@typescript-eslint': tseslint.plugin,
      'import-x': importX,
    },
    rules: {
      // layout
      '@stylistic/indent': ['error', 2, { SwitchCase: 1, flatTernaryExpressions: false, ignoredNodes: ['TemplateLiteral *'] }],
      '@stylistic/max-len': ['error', {
        code: 150, ignoreUrls: true, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreComments: true, ignoreRegExpLiterals: true,
      }],
      '@stylistic/no-trailing-spaces': 'error',
      '@stylistic/eol-last': 'error',
      '@stylistic/no-multiple-empty-lines': ['error', { max: 1, maxBOF: 0, maxEOF: 0 }],
      '@stylistic/no-tabs': 'error',
      '@stylistic/linebreak-style': ['error', 'unix'],
      '@stylistic/brace-style': ['error', '1tbs', { allowSingleLine: true }],
      'curly': ['error', 'multi-line'],
      // punctuation
      '@stylistic/quotes': ['error', 'single', { avoidEscape: true, allowTemplateLiterals: 'always' }],
      '@stylistic/semi': ['error', 'always'],
      '@stylistic/member-delimiter-style': 'error',
      '@stylistic/comma-dangle': ['error', 'always-multiline'],
      '@stylistic/quote-props': ['error', 'consistent-as-needed'],
      // spacing
      '@stylistic/comma-spacing': 'error',
      '@stylistic/key-spacing': 'error',
      '@stylistic/keyword-spacing': 'error',
      '@stylistic/space-before-blocks': 'error',
      '@stylistic/space-infix-ops': 'error',
      '@stylistic/arrow-spacing': 'error',
      '@stylistic/object-curly-spacing': ['error', 'always'],
      '@stylistic/array-bracket-spacing': ['error', 'never'],
      '@stylistic/space-in-parens': ['error', 'never'],
      '@stylistic/no-multi-spaces': ['error', { ignoreEOLComments: true }],
      '@stylistic/type-annotation-spacing': 'error',
      '@stylistic/spaced-comment': ['error', 'always', { markers: ['/'], exceptions: ['-', '='] }],
      // imports: node built-ins, then packages, then the project's own modules, alphabetized, one block
      'import-x/order': ['error', {
        'groups': ['builtin', 'external'],
        'newlines-between': 'never',
        'alphabetize': { order: 'asc', caseInsensitive: true },
      }],
      'import-x/first': 'error',
      'import-x/no-duplicates': 'error',
      '@stylistic/no-extra-semi': 'error',
      // classes: statics, then fields, then the constructor, then methods (aws-cdk and cdk8s-plus order)
      '@typescript-eslint/member-ordering': ['error', {
        default: [
          'public-static-field', 'public-static-method',
          'protected-static-field', 'protected-static-method',
          'private-static-field', 'private-static-method',
          'field', 'constructor', 'method',
        ],
      }],
    },
  },
);
