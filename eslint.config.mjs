import tseslint from 'typescript-eslint';

const NO_VSCODE = { name: 'vscode', message: 'src/core and the CLI must stay vscode-free.' };
// Each room of src/core and the rooms it must not import (they stand above it).
const ROOMS = ['agent', 'sessions', 'relay', 'script', 'fileServer', 'downloads', 'traffic', 'servers', 'tls'];
const CORE_FLOORS = {
  '.': ROOMS,
  servers: ROOMS.filter((r) => r !== 'servers' && r !== 'tls'),
  tls: ROOMS.filter((r) => r !== 'tls'),
  traffic: ['agent', 'sessions', 'relay', 'script', 'fileServer', 'downloads'],
  downloads: ['agent', 'sessions', 'relay', 'script', 'fileServer', 'traffic'],
  fileServer: ['agent', 'sessions', 'relay', 'script', 'downloads', 'traffic'],
  script: ['agent', 'sessions', 'relay', 'fileServer', 'downloads', 'traffic'],
  relay: ['agent', 'sessions', 'fileServer', 'downloads', 'traffic'],
  sessions: ['agent', 'relay', 'fileServer', 'downloads', 'traffic'],
  // The agent tools stand on top: they use every room, none uses them.
  agent: [],
};

export default tseslint.config(
  { ignores: ['dist/**', 'dist-cli/**', 'out/**', 'node_modules/**', '.vscode-test/**', 'bench/results.json', '**/*.vsix'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      curly: 'error',
      eqeqeq: 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // The core and the CLI know nothing of VS Code: they run in a terminal, the benchmarks and plain-Node tests too.
    files: ['src/core/**/*.ts', 'src/cli.ts', 'src/cli/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [NO_VSCODE] }] },
  },
  // The core's rooms stand in floors (docs/extension.md): a room imports the core root and the rooms below it, never one above.
  ...Object.entries(CORE_FLOORS).map(([room, above]) => ({
    files: [room === '.' ? 'src/core/*.ts' : `src/core/${room}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [NO_VSCODE],
          patterns: above.map((r) => ({
            group: [`**/core/${r}`, `**/core/${r}/**`, room === '.' ? `./${r}/**` : `../${r}`, room === '.' ? `./${r}` : `../${r}/**`],
            message: `src/core/${room === '.' ? '' : room + '/'} stands below src/core/${r}/: move the shared piece down instead.`,
          })),
        },
      ],
    },
  })),
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: {
      globals: { require: 'readonly', module: 'writable', process: 'readonly', console: 'readonly', __dirname: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
