// End-to-end: teaching the model in a real VS Code (code-server + Chromium) with the shipped neural model. A sentence
// typed into a note is coloured (the time is reported); Ctrl+. accepts, relabels and rejects entities, and the exact
// sidecar lines are checked; a .note and a .txt of the same stem get separate sidecars; a name the model misses is
// annotated in a few notes, Fine-tune on Workspace Annotations runs with its own settings, and the new model, once
// accepted, tags that name and still the entities nobody touched, while Select Model… offers the shipped model back.
// Screenshots and logs: test-results/e2e-teach/.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { textHash } from '../../server/src/lsp/sidecarSync';
import { DISEASE_RGB, DRUG_RGB, E2E_SKIP, E2eSession } from './harness/session';
import { REPO } from './harness/vsix';
import { WAIT, type Workbench } from './harness/workbench';
import { writeWorkspaceSettings } from './harness/workspace';

const SENTENCE = 'Started metformin for type 2 diabetes mellitus; aspirin was stopped.';
const TXT = 'Aspirin for fever.';

/** A made-up drug name the shipped model misses in every one of these notes (checked with bioner tag). */
const TAUGHT = 'dormira';
/** Notes the user annotates TAUGHT in; the other entities are left as the model has them (`metformin` in the first). */
const TEACH: Array<[string, string]> = [
  ['teach-1.note', `She takes ${TAUGHT} at bedtime. The patient was started on metformin 500 mg twice daily.`],
  ['teach-2.note', `Continue ${TAUGHT} 5 mg nightly; lisinopril for hypertension.`],
  ['teach-3.note', `He stopped ${TAUGHT} because of dizziness; aspirin was continued.`],
];
/** A colleague's partial sidecar with a type the model spells otherwise ("Drug"): the label quick pick maps it. */
const HANDOVER = `Insomnia improved on ${TAUGHT}, so the dose was kept.`;
/** A note nobody annotates: the taught name in a new sentence, beside entities the shipped model tags. */
const CHECK = `Started ${TAUGHT} for insomnia; lisinopril was continued for hypertension.`;
const FINE_TUNE = 'BioNER: Fine-tune on Workspace Annotations';
/** The epochs users get: package.json's default of bioner.fineTune.epochs (the test sets none). */
const FINE_TUNE_EPOCHS = (JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, { default: unknown }> } };
}).contributes.configuration.properties['bioner.fineTune.epochs'].default;

/** The partial sidecar the editor writes for one annotation of `word` in `text`. */
function partialSidecar(text: string, word: string, label: string): string[] {
  const at = text.indexOf(word);
  return ['# bioner-review: partial', `# bioner-text: sha256=${textHash(text)}`, `T1\t${label} ${at} ${at + word.length}\t${word}`];
}

describe('Teaching the model in VS Code (code-server + Chromium, shipped model)', { skip: E2E_SKIP, timeout: 600_000 }, () => {
  let session: E2eSession;
  let workbench: Workbench;
  let failed = false;
  /** Times Ctrl+. got "No code actions available" and was pressed again (reported by the last test). */
  let emptyQuickFixes = 0;

  before(async () => {
    session = await E2eSession.open({
      name: 'e2e-teach',
      prepareWorkspace: (workspace) => {
        // No bioner.model: the model shipped with the extension. No suggestions popping up while the test types.
        writeWorkspaceSettings(workspace, { 'bioner.diagnostics': 'uncertain', 'editor.quickSuggestions': { other: 'off' }, 'editor.wordBasedSuggestions': 'off' });
        fs.writeFileSync(path.join(workspace, 'visit.note'), '');
        fs.writeFileSync(path.join(workspace, 'visit.txt'), TXT);
        // Only the user's own partial annotations are fine-tuned on (no complete corpora: few documents, a short run).
        fs.rmSync(path.join(workspace, 'annotated'), { recursive: true });
        fs.rmSync(path.join(workspace, 'notes', 'emergency-overdose.ann'));
        for (const [name, text] of TEACH) fs.writeFileSync(path.join(workspace, name), text);
        fs.writeFileSync(path.join(workspace, 'handover.note'), HANDOVER);
        fs.writeFileSync(path.join(workspace, 'handover.note.ann'), `${partialSidecar(HANDOVER, TAUGHT, 'Drug').join('\n')}\n`);
        fs.writeFileSync(path.join(workspace, 'check.note'), CHECK);
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
    // The keyboard, not a click: a pointer block over the widget catches clicks while it opens.
    const rows = workbench.page.locator('.action-widget .monaco-list-row.action');
    const row = rows.filter({ hasText: title }).first();
    const none = workbench.page.locator('.monaco-editor-overlaymessage', { hasText: 'No code actions available' });
    // On a loaded machine VS Code now and then answers the first Ctrl+. with "No code actions available" (seen with
    // the entity coloured and the text unchanged); a user presses again, so does the test.
    for (let attempt = 1; ; attempt++) {
      await workbench.page.keyboard.press('Control+.');
      await row.or(none).first().waitFor({ state: 'visible', timeout: WAIT });
      if (await row.isVisible()) break;
      assert.ok(attempt < 5, `"${title}" offered by Ctrl+. at column ${column}`);
      emptyQuickFixes++;
      await none.waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => undefined);
    }
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

  it('fine-tunes on partial annotations; the accepted model tags the taught name and keeps the untouched entities', (t) =>
    step('fine-tune', async () => {
      // Before: the shipped model tags lisinopril in this line but not the name.
      await workbench.openFile('check.note');
      assert.equal(await workbench.waitForColour('lisinopril', DRUG_RGB), DRUG_RGB);
      assert.ok(!(await workbench.colours(TAUGHT)).includes(DRUG_RGB), `the shipped model misses "${TAUGHT}" (choose another name if a new model finds it)`);

      // The user selects the name in each note and annotates it (Ctrl+.).
      for (const [name, text] of TEACH) {
        await workbench.openFile(name);
        if (text.includes('metformin')) assert.equal(await workbench.waitForColour('metformin', DRUG_RGB), DRUG_RGB, 'the shipped model tags it');
        await quickFix(text.indexOf(TAUGHT) + 1, 'Annotate as DRUG', true);
        await waitForSidecar(`${name}.ann`, partialSidecar(text, TAUGHT, 'DRUG'));
      }
      await workbench.screenshot('4-taught');

      const shipped = shippedModel();
      const shippedBefore = folderHash(shipped.dir);
      await recordToasts();
      const started = Date.now();
      await workbench.runCommand(FINE_TUNE);
      // The colleague's "Drug" is mapped to the model's DRUG (proposed: the same name ignoring case).
      await workbench.pick(/proposed: same name/);
      const done = workbench.notification(/fine-tuned model saved/);
      await done.waitFor({ timeout: 4 * WAIT });
      t.diagnostic(`fine-tuning from the command to the result took ${((Date.now() - started) / 1000).toFixed(1)} s (${FINE_TUNE_EPOCHS} epochs, the default)`);
      await workbench.screenshot('5-fine-tuned');
      const toasts = await recordedToasts();
      assert.ok(toasts.some((text) => new RegExp(`epoch \\d+/${FINE_TUNE_EPOCHS}\\b`).test(text)), `the progress showed the epochs: ${toasts.join(' | ')}`);
      // Seven annotated entities, about a fifth held out (one or two): no percentage.
      const held = /\b(\d+) held-out (entity|entities): too few to measure F1/.exec(await done.innerText());
      assert.ok(held, await done.innerText());
      assert.equal(held[2], held[1] === '1' ? 'entity' : 'entities');

      const models = path.join(session.workspace, '.bioner', 'models');
      const [saved, ...others] = fs.readdirSync(models);
      assert.deepEqual(others, [], 'one new model');
      const savedDir = path.join(models, saved);
      const name = (JSON.parse(fs.readFileSync(path.join(savedDir, 'config.json'), 'utf8')) as { name: string }).name;
      await done.locator('.monaco-button', { hasText: 'Use the New Model' }).click();
      // The setting names the folder relative to the workspace folder (which may be moved or shared), and the toast
      // offers the way back (checked at once: a toast hides after a while).
      const switched = workbench.notification(`now using ${name} (bioner.model: ".bioner/models/${saved}"). The previous model, ${shipped.name}, is kept`);
      await switched.waitFor({ timeout: WAIT });
      assert.ok(await switched.locator('.monaco-button', { hasText: 'Back to the Previous Model' }).isVisible());
      await workbench.statusBarItem(name).waitFor({ timeout: WAIT });
      const settings = readSettings();
      assert.equal(settings['bioner.model'], `.bioner/models/${saved}`, 'the workspace setting names the new folder');
      assert.equal(settings['bioner.fineTune.labelMap'], 'Drug=DRUG', 'the label mapping is saved');
      // The user's own settings in the same file are kept.
      assert.equal(settings['bioner.diagnostics'], 'uncertain');
      assert.equal(settings['editor.wordBasedSuggestions'], 'off');
      assert.deepEqual(settings['editor.quickSuggestions'], { other: 'off' });
      assert.equal(folderHash(shipped.dir), shippedBefore, 'the shipped model was only read');

      // The taught name in a note nobody annotated, and the entities beside it.
      await workbench.openFile('check.note');
      assert.equal(await workbench.waitForColour(TAUGHT, DRUG_RGB), DRUG_RGB, `the new model tags "${TAUGHT}" in a new sentence`);
      assert.equal(await workbench.waitForColour('lisinopril', DRUG_RGB), DRUG_RGB);
      assert.equal(await workbench.waitForColour('hypertension', DISEASE_RGB), DISEASE_RGB);
      await workbench.screenshot('6-new-model');
      // In an annotated note: the taught name, and metformin, which nobody annotated there.
      await workbench.openFile('teach-1.note');
      assert.equal(await workbench.waitForColour(TAUGHT, DRUG_RGB), DRUG_RGB);
      assert.equal(await workbench.waitForColour('metformin', DRUG_RGB), DRUG_RGB, 'an untouched entity of the note is still tagged');

      // The way back: Select Model… offers the previous model first; choosing it removes the setting again, and the
      // shipped model is active and misses the name as before.
      await workbench.runCommand('BioNER: Select Model…');
      await workbench.pick(/previous model/);
      await workbench.statusBarItem(shipped.name).waitFor({ timeout: WAIT });
      const { 'bioner.model': _, ...withoutModel } = settings;
      assert.deepEqual(readSettings(), withoutModel, 'bioner.model is removed, as it was before');
      await workbench.openFile('check.note');
      assert.equal(await workbench.waitForColour('lisinopril', DRUG_RGB), DRUG_RGB);
      const deadline = Date.now() + WAIT;
      while ((await workbench.colours(TAUGHT)).includes(DRUG_RGB) && Date.now() < deadline) await workbench.page.waitForTimeout(250);
      assert.ok(!(await workbench.colours(TAUGHT)).includes(DRUG_RGB), 'the shipped model is back');
      assert.ok(fs.existsSync(path.join(savedDir, 'config.json')), 'the fine-tuned model stays for later');
      await workbench.screenshot('7-shipped-model-again');
      t.diagnostic(`Ctrl+. answered "No code actions available" ${emptyQuickFixes} time(s) in this file and was pressed again`);
    }));

  /** The model folder the installed extension ships, and its name. */
  function shippedModel(): { dir: string; name: string } {
    const extension = fs.readdirSync(session.server.extensionsDir).find((d) => d.startsWith('bioner.bioner-'));
    assert.ok(extension, `the extension is installed in ${session.server.extensionsDir}`);
    const dir = path.join(session.server.extensionsDir, extension, 'models', 'default');
    return { dir, name: (JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as { name: string }).name };
  }

  function readSettings(): Record<string, unknown> {
    return JSON.parse(fs.readFileSync(file(path.join('.vscode', 'settings.json')), 'utf8')) as Record<string, unknown>;
  }

  /** Keeps every text the notification toasts show (progress messages come and go faster than a poll). */
  async function recordToasts(): Promise<void> {
    // No named functions inside: tsx would wrap them in a helper the page does not have.
    await workbench.page.evaluate(() => {
      const page = globalThis as unknown as PageGlobals;
      const seen: string[] = (page.bionerToasts = []);
      new page.MutationObserver(() => {
        for (const toast of page.document.querySelectorAll('.notification-toast')) {
          const text = toast.textContent ?? '';
          if (!seen.includes(text)) seen.push(text);
        }
      }).observe(page.document.body, { subtree: true, childList: true, characterData: true });
    });
  }

  function recordedToasts(): Promise<string[]> {
    return workbench.page.evaluate(() => (globalThis as unknown as PageGlobals).bionerToasts ?? []);
  }
});

/** Every file of a folder, hashed together (to show it was not written to). */
function folderHash(dir: string): string {
  const hash = createHash('sha256');
  for (const name of fs.readdirSync(dir).sort()) hash.update(name).update(fs.readFileSync(path.join(dir, name)));
  return hash.digest('hex');
}

/** What the page-side toast recorder uses (tsconfig has no DOM lib). */
interface PageGlobals {
  bionerToasts?: string[];
  document: {
    body: unknown;
    querySelectorAll(selector: string): Iterable<{ textContent: string | null }>;
  };
  MutationObserver: new (callback: () => void) => { observe(target: unknown, options: Record<string, boolean>): void };
}
