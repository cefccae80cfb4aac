// End-to-end: teaching the model in a real VS Code (code-server + Chromium) with the shipped neural model. A sentence
// typed into a note is coloured (the time is reported); Ctrl+. accepts, relabels and rejects entities, and the exact
// sidecar lines are checked; a .note and a .txt of the same stem get separate sidecars.
// Screenshots and logs: test-results/e2e-teach/.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { textHash } from '../../server/src/lsp/sidecarSync';
import { DRUG_RGB, E2E_SKIP, E2eSession } from './harness/session';
import { WAIT, type Workbench } from './harness/workbench';
import { writeWorkspaceSettings } from './harness/workspace';

const SENTENCE = 'Started metformin for type 2 diabetes mellitus; aspirin was stopped.';
const TXT = 'Aspirin for fever.';

describe('Teaching the model in VS Code (code-server + Chromium, shipped model)', { skip: E2E_SKIP, timeout: 300_000 }, () => {
  let session: E2eSession;
  let workbench: Workbench;
  let failed = false;

  before(async () => {
    session = await E2eSession.open({
      name: 'e2e-teach',
      prepareWorkspace: (workspace) => {
        // No bioner.model: the model shipped with the extension. No suggestions popping up while the test types.
        writeWorkspaceSettings(workspace, { 'bioner.diagnostics': 'uncertain', 'editor.quickSuggestions': { other: 'off' }, 'editor.wordBasedSuggestions': 'off' });
        fs.writeFileSync(path.join(workspace, 'visit.note'), '');
        fs.writeFileSync(path.join(workspace, 'visit.txt'), TXT);
      },
    });
    workbench = session.workbench;
  });

  after(() => session?.close(failed));

  const file = (name: string) => path.join(session.workspace, name);

  /** Ctrl+. at line 1, column `column` (1-based), on the word there when `selectWord`, and the quick fix titled `title`. */
  async function quickFix(column: number, title: string, selectWord = false): Promise<void> {
    await workbench.goToLine(1, column);
    if (selectWord) await workbench.page.keyboard.press('Control+Shift+ArrowRight');
    await workbench.page.keyboard.press('Control+.');
    // The keyboard, not a click: a pointer block over the widget catches clicks while it opens.
    const rows = workbench.page.locator('.action-widget .monaco-list-row.action');
    await rows.filter({ hasText: title }).first().waitFor({ state: 'visible', timeout: WAIT });
    const items = await rows.evaluateAll((all) => all.map((r) => ({ text: (r as { textContent: string | null }).textContent ?? '', focused: (r as { classList: { contains(c: string): boolean } }).classList.contains('focused') })));
    const target = items.findIndex((r) => r.text.includes(title));
    const focused = Math.max(0, items.findIndex((r) => r.focused));
    const key = target > focused ? 'ArrowDown' : 'ArrowUp';
    for (let i = 0; i < Math.abs(target - focused); i++) await workbench.page.keyboard.press(key);
    await workbench.page.keyboard.press('Enter');
  }

  /** Waits until `name` holds exactly `lines` (each ending in a newline). */
  async function waitForSidecar(name: string, lines: string[]): Promise<void> {
    const wanted = lines.map((l) => `${l}\n`).join('');
    const deadline = Date.now() + WAIT;
    let content: string | undefined;
    while (Date.now() < deadline) {
      content = fs.existsSync(file(name)) ? fs.readFileSync(file(name), 'utf8') : undefined;
      if (content === wanted) return;
      await workbench.page.waitForTimeout(100);
    }
    assert.equal(content, wanted, name);
  }

  const step = async (name: string, body: () => Promise<void>) => {
    try {
      await body();
    } catch (error) {
      failed = true;
      await workbench.screenshot(`failed-${name}`).catch(() => undefined);
      throw error;
    }
  };

  it('colours a typed sentence; Ctrl+. accepts, relabels and rejects, with the exact sidecar lines', (t) =>
    step('annotate', async () => {
      await workbench.openFile('visit.note');
      await workbench.page.keyboard.type(SENTENCE);
      const typed = Date.now();
      assert.equal(await workbench.waitForColour('aspirin', DRUG_RGB), DRUG_RGB);
      t.diagnostic(`typed sentence coloured ${Date.now() - typed} ms after the last key (shipped model)`);
      await workbench.page.keyboard.press('Control+S');
      await workbench.screenshot('1-typed');
      const at = (word: string) => SENTENCE.indexOf(word);
      const stamp = `# bioner-text: sha256=${textHash(SENTENCE)}`;

      // The shipped model leaves this "metformin" untagged: the user selects it and annotates it.
      await quickFix(at('metformin') + 1, 'Annotate as DRUG', true);
      const metformin = `T1\tDRUG ${at('metformin')} ${at('metformin') + 9}\tmetformin`;
      await waitForSidecar('visit.note.ann', ['# bioner-review: partial', stamp, metformin]);

      await quickFix(at('aspirin') + 2, 'Annotate as DRUG');
      await waitForSidecar('visit.note.ann', ['# bioner-review: partial', stamp, metformin, `T2\tDRUG ${at('aspirin')} ${at('aspirin') + 7}\taspirin`]);
      // Relabelling the user's own annotation keeps its id and place.
      await quickFix(at('aspirin') + 2, 'Change label to DISEASE');
      const aspirin = `T2\tDISEASE ${at('aspirin')} ${at('aspirin') + 7}\taspirin`;
      await waitForSidecar('visit.note.ann', ['# bioner-review: partial', stamp, metformin, aspirin]);

      await quickFix(at('diabetes') + 2, 'Not an entity');
      const rejected = `# bioner-not-entity: ${at('diabetes')} ${at('diabetes') + 17}\tdiabetes mellitus`;
      await waitForSidecar('visit.note.ann', ['# bioner-review: partial', stamp, metformin, aspirin, rejected]);
      await workbench.screenshot('2-annotated');
      assert.equal(fs.existsSync(file('visit.ann')), false, 'visit.note does not write the sidecar of visit.txt');
    }));

  it('a .txt of the same stem gets its own sidecar', () =>
    step('same-stem', async () => {
      const note = fs.readFileSync(file('visit.note.ann'), 'utf8');
      await workbench.openFile('visit.txt');
      assert.equal(await workbench.waitForColour('Aspirin', DRUG_RGB), DRUG_RGB);
      await quickFix(3, 'Annotate as DRUG');
      await waitForSidecar('visit.ann', ['# bioner-review: partial', `# bioner-text: sha256=${textHash(TXT)}`, 'T1\tDRUG 0 7\tAspirin']);
      assert.equal(fs.readFileSync(file('visit.note.ann'), 'utf8'), note, 'the note\'s sidecar is untouched');
      await workbench.screenshot('3-same-stem');
    }));
});
