// Restricted Mode: in a workspace the user does not trust, BioNER must not load a model named by the workspace's own
// settings (a model folder is code-like input); once the user trusts the folder, that model is loaded.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { codeServerEntry, collectLogs, QUIET_USER_SETTINGS, startCodeServer, type CodeServer } from './harness/codeServer';
import { packageVsix, REPO } from './harness/vsix';
import { CHROMIUM, launchChromium, WAIT, Workbench } from './harness/workbench';
import { makeWorkspace } from './harness/workspace';

const RESULTS = path.join(REPO, 'test-results', 'e2e-untrusted');

const entry = codeServerEntry();
const skip = !entry
  ? 'code-server is not installed: run `bash scripts/setup-e2e.sh` (scripts/test-all.sh does)'
  : !fs.existsSync(CHROMIUM)
    ? `no Chromium at ${CHROMIUM}: run \`bash scripts/setup-e2e.sh\``
    : false;

describe('BioNER in an untrusted workspace (code-server + Chromium)', { skip, timeout: 300_000 }, () => {
  let server: CodeServer;
  let browser: Browser;
  let workbench: Workbench;
  let workspace: string;
  let vsixDir: string | undefined;

  before(async () => {
    fs.rmSync(RESULTS, { recursive: true, force: true });
    fs.mkdirSync(RESULTS, { recursive: true });
    vsixDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bioner-vsix-'));
    const vsix = packageVsix(path.join(vsixDir, 'bioner.vsix'));
    workspace = makeWorkspace(); // its .vscode/settings.json sets bioner.model to the lexicon fixture
    server = await startCodeServer({
      entry: entry!,
      vsix,
      logFile: path.join(RESULTS, 'code-server.log'),
      userSettings: { ...QUIET_USER_SETTINGS, 'security.workspace.trust.enabled': true },
      workspaceTrust: true,
    });
    browser = await launchChromium();
    workbench = await Workbench.open(browser, server.url, workspace, RESULTS);
  });

  after(async () => {
    if (server) collectLogs(server, RESULTS);
    await browser?.close();
    await server?.stop();
    if (workspace) fs.rmSync(workspace, { recursive: true, force: true });
    if (vsixDir) fs.rmSync(vsixDir, { recursive: true, force: true });
  });

  it('ignores the workspace bioner.model until the folder is trusted', async () => {
    const page = workbench.page;
    try {
      await page.locator('.monaco-dialog-box .monaco-button', { hasText: /No, I don.t trust the authors/ }).click();
      await workbench.statusBarItem(/Restricted Mode/).waitFor();
      await workbench.openFile('cystic-fibrosis-clinic.note');
      // The extension runs (limited support) but uses the shipped model, not the workspace's.
      const item = workbench.statusBarItem(/BioNER|bioner/i);
      await item.waitFor();
      await page.waitForTimeout(2000); // time enough for a wrong model to show up
      await workbench.screenshot('1-restricted-mode');
      assert.doesNotMatch(await item.innerText(), /test-lexicon/);

      await workbench.runCommand('Workspaces: Manage Workspace Trust');
      await page.locator('.workspace-trust-editor .monaco-button', { hasText: /^Trust$/ }).first().click();
      await workbench.statusBarItem(/test-lexicon/).waitFor({ timeout: WAIT });
      await workbench.screenshot('2-trusted');
    } catch (error) {
      await workbench.screenshot('failure').catch(() => undefined);
      throw error;
    }
  });
});
