// Bundles the extension (client), the language server, the inference worker and the `bioner` CLI into dist/,
// and copies the tfjs wasm binaries (and the BLAS addon, when built) beside them so the bundle runs with no
// node_modules lookups.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, existsSync, renameSync, rmSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** Entry points: name in dist/ -> source. */
const entries = {
  extension: 'client/src/extension.ts',
  server: 'server/src/lsp/server.ts',
  cli: 'server/src/cli/main.ts',
  // The queue backend (Redis, BullMQ): loaded by the CLI only for --queue, worker and queue, so cli.js holds no networking code.
  queue: 'server/src/bulk/queue/index.ts',
  worker: 'server/src/tagging/worker.ts',
  'pretrain-worker': 'server/src/train/pretrainWorker.ts',
};

const present = Object.fromEntries(Object.entries(entries).filter(([, src]) => existsSync(src)));

const options = {
  entryPoints: present,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  outdir: 'dist',
  sourcemap: !production,
  minify: production,
  logLevel: 'info',
  // vscode is provided by the editor; tfjs-node is optional and used only when installed. node-fetch (with tr46 and
  // whatwg-url, about 0.4 MB of every bundle holding tfjs) is what tfjs-core falls back to where there is no global
  // fetch; Node 20 has one, and BioNER fetches nothing: left out, the worker starts with less to read and compile.
  external: ['vscode', '@tensorflow/tfjs-node', 'node-fetch'],
  // Some bundled ESM dependencies (tinyglobby's fdir) read import.meta.url, which is empty in a CJS bundle.
  banner: { js: "#!/usr/bin/env node\nconst __importMetaUrl = require('url').pathToFileURL(__filename).href;" },
  define: { 'import.meta.url': '__importMetaUrl' },

};

mkdirSync('dist', { recursive: true });
const wasmDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
for (const file of readdirSync(join(wasmDir, 'dist')).filter((f) => f.endsWith('.wasm'))) {
  copyFileSync(join(wasmDir, 'dist', file), join('dist', file));
}

// The optional BLAS addon (server/native, built by scripts/build-native.mjs), when it has been built.
const blasAddon = join('server', 'native', 'build', 'Release', 'bioner_blas.node');
// Copied beside and renamed into place: a running process that has the old one mapped must not see it change.
if (existsSync(blasAddon)) {
  copyFileSync(blasAddon, join('dist', 'bioner_blas.node.tmp'));
  renameSync(join('dist', 'bioner_blas.node.tmp'), join('dist', 'bioner_blas.node'));
} else if (existsSync(join('dist', 'bioner_blas.node'))) {
  rmSync(join('dist', 'bioner_blas.node'));
}

if (watch) {
  const ctx = await esbuild.context(options);
  await ctx.watch();
} else {
  await esbuild.build(options);
}
