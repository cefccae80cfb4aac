// End-to-end: clinical context in a real VS Code (code-server + Chromium) with the shipped neural model. "Denies chest
// pain" shows "chest pain" struck through (the `negated` modifier's default styling) and its hover names the trigger.
// Screenshots and logs: test-results/e2e-assertion/.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DISEASE_RGB, E2E_SKIP, E2eSession } from './harness/session';
import type { Workbench } from './harness/workbench';
import { writeWorkspaceSettings } from './harness/workspace';

const NOTE = 'denies.note';

describe('Clinical context in VS Code (code-server + Chromium, shipped model)', { skip: E2E_SKIP, timeout: 300_000 }, () => {
  let session: E2eSession;
  let workbench: Workbench;
  let failed = false;

  before(async () => {
    session = await E2eSession.open({
      name: 'e2e-assertion',
      prepareWorkspace: (workspace) => {
        // No bioner.model: the model shipped with the extension.
        writeWorkspaceSettings(workspace, { 'bioner.diagnostics': 'uncertain' });
        fs.writeFileSync(path.join(workspace, NOTE), 'Denies chest pain.\nReports cystic fibrosis.\n');
      },
    });
    workbench = session.workbench;
  });

  after(() => session?.close(failed));

  /** The CSS text-decoration lines of the editor spans that read exactly `text`, once some span shows `wanted`. */
  async function waitForDecoration(text: string, wanted: string): Promise<string[]> {
    const deadline = Date.now() + 60_000;
    let decorations: string[] = [];
    while (Date.now() < deadline) {
      decorations = await workbench
        .editorSpans(text)
        .evaluateAll((spans) => spans.map((s) => (globalThis as unknown as StyleWindow).getComputedStyle(s).textDecorationLine));
      if (decorations.some((d) => d.includes(wanted))) break;
      await workbench.page.waitForTimeout(250);
    }
    return decorations;
  }

  it('strikes "chest pain" through after "Denies" and names the trigger in the hover', async () => {
    try {
      await workbench.openFile(NOTE);
      // The affirmed disease has the disease colour and no line through it; the negated one is struck through.
      assert.equal(await workbench.waitForColour('cystic fibrosis', DISEASE_RGB), DISEASE_RGB, 'colour of "cystic fibrosis"');
      const negated = await waitForDecoration('chest pain', 'line-through');
      await workbench.screenshot('1-denies-chest-pain');
      assert.ok(negated.some((d) => d.includes('line-through')), `"chest pain" is struck through (text-decoration: ${negated.join(', ')})`);
      const affirmed = await waitForDecoration('cystic fibrosis', 'line-through');
      assert.ok(!affirmed.some((d) => d.includes('line-through')), `"cystic fibrosis" is not struck through (${affirmed.join(', ')})`);
      const hover = await workbench.hoverText('chest pain');
      await workbench.screenshot('2-hover-negated');
      assert.match(hover, /DISEASE/);
      assert.match(hover, /negated by Denies/, `the hover names the trigger: ${hover}`);
    } catch (error) {
      failed = true;
      throw error;
    }
  });
});

interface StyleWindow {
  getComputedStyle(element: unknown): { textDecorationLine: string };
}
