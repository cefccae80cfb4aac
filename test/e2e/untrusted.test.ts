// Restricted Mode: in a workspace the user does not trust, BioNER must not load a model named by the workspace's own
// settings (a model folder is code-like input); once the user trusts the folder, that model is loaded.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { E2E_SKIP, E2eSession } from './harness/session';
import { WAIT, type Workbench } from './harness/workbench';

describe('BioNER in an untrusted workspace (code-server + Chromium)', { skip: E2E_SKIP, timeout: 300_000 }, () => {
  let session: E2eSession;
  let workbench: Workbench;

  before(async () => {
    // The workspace's .vscode/settings.json (makeWorkspace) sets bioner.model to the lexicon fixture.
    session = await E2eSession.open({
      name: 'e2e-untrusted',
      userSettings: { 'security.workspace.trust.enabled': true },
      workspaceTrust: true,
    });
    workbench = session.workbench;
  });

  after(() => session?.close());

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
