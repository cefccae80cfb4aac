// Packages the extension as a .vsix from the current dist/ (scripts/test.mjs builds it first), like `npm run package`
// but without the production rebuild, so the e2e tests exercise exactly the bundle under test.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const REPO = path.resolve(__dirname, '..', '..', '..');

export function packageVsix(out: string): string {
  for (const bundle of ['extension.js', 'server.js', 'cli.js']) {
    if (!fs.existsSync(path.join(REPO, 'dist', bundle))) throw new Error(`dist/${bundle} is missing: run npm run build`);
  }
  const vsce = path.join(REPO, 'node_modules', '@vscode', 'vsce', 'vsce');
  // As `npm run package`: the README's screenshot is a relative image, and there is no repository to rewrite it to.
  const result = spawnSync(
    process.execPath,
    [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--no-rewrite-relative-links', '--out', out],
    { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  if (result.status !== 0) throw new Error(`vsce package failed:\n${result.stdout}${result.stderr}`);
  return out;
}
