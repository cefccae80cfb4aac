// What `npm run package` puts in the .vsix (`vsce ls`, the same file list vsce packages): the four bundles, the tfjs
// wasm binaries, the shipped model with its card, grammars; no sources, tests, source maps or data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../fixtures/bulk/cli';

test('the .vsix file list holds the bundles, the wasm binaries and the shipped model, and nothing else', () => {
  const vsce = join(repoRoot, 'node_modules', '@vscode', 'vsce', 'vsce');
  const run = spawnSync(process.execPath, [vsce, 'ls', '--no-dependencies'], { cwd: repoRoot, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const files = new Set(run.stdout.trim().split('\n'));
  for (const f of ['package.json', 'README.md', 'dist/extension.js', 'dist/server.js', 'dist/cli.js', 'dist/worker.js', 'dist/tfjs-backend-wasm.wasm']) {
    assert.ok(files.has(f), `${f} is packaged`);
  }
  for (const f of readdirSync(join(repoRoot, 'models', 'default'))) assert.ok(files.has(`models/default/${f}`), `models/default/${f} is packaged`);
  assert.ok(files.has('models/default/MODEL_CARD.md'));
  assert.ok(files.has('syntaxes/brat-ann.tmLanguage.json'));
  const stray = [...files].filter((f) => /^(server|client|test|bench|scripts|node_modules)\/|\.map$|\.ts$/.test(f));
  assert.deepEqual(stray, []);
});
