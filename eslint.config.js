// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { layersPlugin } from './build/layers.mjs';

const NODE_BUILTINS = [
  'node:*',
  'fs',
  'fs/*',
  'path',
  'os',
  'child_process',
  'crypto',
  'http',
  'https',
  'net',
  'url',
  'util',
  'stream',
  'worker_threads',
];

/** Architecture boundaries (../shared/ARCHITECTURE.md, "Where things live"): a break fails `npm run lint`. */
const boundaries = [
  {
    name: 'boundary: electron/core is plain Node',
    files: ['electron/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'electron/core never imports electron: it runs in the CLI, the web host and tests too.' }],
          patterns: [
            { group: ['electron/*'], message: 'electron/core never imports electron.' },
            {
              group: ['**/main/*', '**/preload/*', '**/hosts/*', '**/renderer/*'],
              message: 'electron/core imports only shared/ and core/.',
            },
          ],
        },
      ],
    },
  },
  {
    name: 'boundary: renderer imports only renderer/ and shared/',
    files: ['renderer/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The renderer is untrusted: it talks through window.signet only.' }],
          patterns: [
            { group: ['**/electron/**', 'electron/*'], message: 'The renderer imports only renderer/ and shared/.' },
            { group: NODE_BUILTINS, message: 'The renderer has no Node: it asks the host through window.signet.' },
          ],
        },
      ],
    },
  },
  {
    name: 'boundary: shared/ imports only shared/ and zod (top level)',
    files: ['shared/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [{ regex: '^(?!zod$)(?!\\./)', message: 'shared/ imports only shared/ (and zod).' }],
        },
      ],
    },
  },
  {
    name: 'boundary: shared/ imports only shared/ and zod (subfolders)',
    files: ['shared/*/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [{ regex: '^(?!zod$)(?!\\./)(?!\\.\\./(?!\\.\\.))', message: 'shared/ imports only shared/ (and zod).' }],
        },
      ],
    },
  },
  {
    name: 'boundary: Node-side code uses only type imports from electron',
    files: [
      'electron/hosts/**/*.ts',
      'tests/**/*.ts',
      'build/**/*.{ts,js,cjs,mjs}',
      'scripts/**/*.{ts,js,mjs}',
      'electron/main/**/*.test.ts',
      'electron/preload/**/*.test.ts',
      '*.config.ts',
    ],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              allowTypeImports: true,
              message: 'Loading electron from Node tries to download the runtime: use `import type`.',
            },
          ],
        },
      ],
    },
  },
];

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'artifacts/**', 'release/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: {
        console: 'readonly',
        process: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        window: 'readonly',
        document: 'readonly',
        fetch: 'readonly',
        Response: 'readonly',
        AbortController: 'readonly',
        TextDecoder: 'readonly',
        TextEncoder: 'readonly',
        TextDecoderStream: 'readonly',
        sessionStorage: 'readonly',
        history: 'readonly',
        navigator: 'readonly',
        structuredClone: 'readonly',
        __dirname: 'readonly',
        require: 'readonly',
        module: 'writable',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      'no-undef': 'off',
      // Prettier wraps code at 140 columns (`npm run lint` checks it); what it cannot wrap (strings, template literals, URLs, regular
      // expressions) may run longer, comments may not.
      'max-len': ['error', { code: 140, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true, ignoreUrls: true }],
    },
  },
  {
    files: ['**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  ...boundaries,
  {
    name: 'boundary: the layer table (build/layers.mjs)',
    files: ['electron/**/*.ts', 'renderer/**/*.{ts,tsx}', 'shared/**/*.ts'],
    plugins: { signet: layersPlugin },
    rules: { 'signet/layers': 'error' },
  },
);
