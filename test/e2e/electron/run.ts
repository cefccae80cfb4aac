// The same end-to-end checks in desktop VS Code through @vscode/test-electron, for machines that can download VS Code
// (not run by `npm test` here: this machine has no access to the VS Code download server).
//   npm run build && npx tsx test/e2e/electron/run.ts        (VSCODE_VERSION=1.100.3 by default)
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { REPO } from '../harness/vsix';
import { makeWorkspace } from '../harness/workspace';

async function main(): Promise<void> {
  const outDir = path.join(REPO, 'out', 'e2e-electron');
  // The suite runs inside the extension host, which loads CommonJS; `vscode` is provided there.
  await esbuild.build({
    entryPoints: [path.join(__dirname, 'suite.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outfile: path.join(outDir, 'suite.js'),
    external: ['vscode'],
    logLevel: 'warning',
  });
  const workspace = makeWorkspace();
  try {
    await runTests({
      version: process.env.VSCODE_VERSION ?? '1.100.3',
      extensionDevelopmentPath: REPO,
      extensionTestsPath: path.join(outDir, 'suite.js'),
      extensionTestsEnv: { BIONER_E2E_WORKSPACE: workspace },
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
    });
  } finally {
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
