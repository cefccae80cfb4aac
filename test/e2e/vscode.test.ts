// End-to-end: the packaged extension in a real VS Code (code-server) driven through Chromium, asserting what a user
// sees. Needs `bash scripts/setup-e2e.sh` (skips with that hint otherwise). Screenshots and logs: test-results/e2e/.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CodeServer } from './harness/codeServer';
import { DISEASE_RGB, DRUG_RGB, E2E_SKIP, E2eSession } from './harness/session';
import { REPO } from './harness/vsix';
import { WAIT, type Workbench } from './harness/workbench';
import { LEXICON_MODEL, writeWorkspaceSettings } from './harness/workspace';

const NOTE = 'cystic-fibrosis-clinic.note';
const DEFAULT_MODEL = path.join(REPO, 'models', 'default');

function isNeuralModel(dir: string): boolean {
  try {
    const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as { kind?: string };
    return (config.kind ?? 'neural') === 'neural';
  } catch {
    return false;
  }
}

/** The model fine-tuning starts from: the shipped one, or BIONER_E2E_INIT_MODEL (to try the flow before it exists). */
const INIT_MODEL = process.env.BIONER_E2E_INIT_MODEL ? path.resolve(process.env.BIONER_E2E_INIT_MODEL) : undefined;
const fineTuneSkip =
  INIT_MODEL === undefined && !isNeuralModel(DEFAULT_MODEL)
    ? 'models/default/config.json (kind neural) does not exist yet: fine-tuning needs a neural model (or set BIONER_E2E_INIT_MODEL)'
    : INIT_MODEL !== undefined && !isNeuralModel(INIT_MODEL)
      ? `BIONER_E2E_INIT_MODEL=${INIT_MODEL} is not a neural model`
      : false;

describe('BioNER in VS Code (code-server + Chromium)', { skip: E2E_SKIP, timeout: 600_000 }, () => {
  let session: E2eSession;
  let server: CodeServer;
  let workbench: Workbench;
  let workspace: string;
  let failed = false;

  before(async () => {
    session = await E2eSession.open({ name: 'e2e' });
    ({ server, workbench, workspace } = session);
  });

  after(() => session?.close(failed));

  /** Marks the run failed (for the screenshot and logs) and rethrows. */
  async function step(name: string, body: () => Promise<void>): Promise<void> {
    try {
      await body();
    } catch (error) {
      failed = true;
      await workbench?.screenshot(`failed-${name}`).catch(() => undefined);
      throw error;
    }
  }

  it('colours diseases and drugs in a clinical note', () =>
    step('colours', async () => {
      await workbench.openFile(NOTE);
      const disease = await workbench.waitForColour('cystic fibrosis', DISEASE_RGB);
      const drug = await workbench.waitForColour('Ivacaftor', DRUG_RGB);
      await workbench.screenshot('1-entity-colours');
      assert.equal(disease, DISEASE_RGB, 'colour of "cystic fibrosis"');
      assert.equal(drug, DRUG_RGB, 'colour of "Ivacaftor"');
    }));

  it('shows the model and the entity count in the status bar', () =>
    step('status-bar', async () => {
      await workbench.openFile(NOTE);
      const item = workbench.statusBarItem(/test-lexicon/);
      await item.waitFor({ timeout: WAIT });
      assert.match(await item.innerText(), /test-lexicon · \d+ entities/);
    }));

  it('shows DRUG and a confidence when hovering Ivacaftor', () =>
    step('hover', async () => {
      await workbench.openFile(NOTE);
      const text = await workbench.hoverText('Ivacaftor');
      await workbench.screenshot('2-hover-ivacaftor');
      assert.match(text, /DRUG/);
      assert.match(text, /\b(0\.\d+|\d{1,3}(\.\d+)?\s?%)/, `a confidence in: ${text}`);
    }));

  it('lists uncertain entities in the Problems panel', () =>
    step('problems', async () => {
      await workbench.openFile(NOTE);
      const rows = await workbench.problemsPanelRows();
      await workbench.screenshot('3-problems-uncertain');
      // The lexicon model gives "fever" confidence 0.40, below bioner.confidenceThreshold (0.5).
      assert.ok(rows.some((r) => /fever/.test(r)), `a Problems row about "fever" in:\n${rows.join('\n')}`);
      assert.ok(!rows.some((r) => /Ivacaftor/.test(r)), 'confident entities are not problems');
    }));

  it('Tag Folder… writes BRAT files beside nothing of the user', () =>
    step('tag-folder', async () => {
      const notes = path.join(workspace, 'notes');
      const out = `${notes}-bioner`;
      const userAnn = fs.readFileSync(path.join(notes, 'emergency-overdose.ann'), 'utf8');
      await workbench.runCommand('BioNER: Tag Folder…');
      await workbench.chooseFolder(notes);
      await workbench.pick('BRAT');
      await workbench.pick('notes-bioner');
      const done = workbench.notification(/BioNER: tagged notes/);
      await done.waitFor({ timeout: 2 * WAIT });
      await workbench.screenshot('4-tag-folder-done');
      assert.match(await done.innerText(), /4 documents/);
      // bioner tag names outputs after the whole input name: x.note -> x.note.ann (+ x.note.txt, the text for BRAT).
      const ann = fs.readFileSync(path.join(out, 'cystic-fibrosis-clinic.note.ann'), 'utf8');
      assert.match(ann, /^T\d+\tDRUG \d+ \d+\tIvacaftor$/m);
      assert.match(ann, /^T\d+\tDISEASE \d+ \d+\tcystic fibrosis$/m);
      for (const note of ['emergency-overdose', 'discharge-summary', 'discharge']) assert.ok(fs.existsSync(path.join(out, `${note}.note.ann`)), note);
      assert.equal(fs.readFileSync(path.join(notes, 'emergency-overdose.ann'), 'utf8'), userAnn, 'the user .ann is unchanged');
      await workbench.statusBarItem(/tagging folder/).waitFor({ state: 'detached', timeout: WAIT });
    }));

  it('Cancel stops Tag Folder…: the files written are complete, nothing is half-written', () =>
    step('tag-folder-cancel', async () => {
      // Big enough to take many seconds even with the lexicon model (about 20 MB of text in 1,000 files).
      const big = path.join(workspace, 'big');
      fs.mkdirSync(big);
      const sentence = 'A 54-year-old woman with cystic fibrosis was started on Ivacaftor and developed fever after aspirin. ';
      for (let i = 0; i < 1000; i++) fs.writeFileSync(path.join(big, `note-${String(i).padStart(4, '0')}.txt`), sentence.repeat(200));
      const out = `${big}-bioner`;
      await workbench.runCommand('BioNER: Tag Folder…');
      await workbench.chooseFolder(big);
      await workbench.pick('JSONL');
      await workbench.pick('big-bioner');
      const progress = workbench.notification(/BioNER: tagging big/);
      await workbench.notification(/[1-9]\d* \/ 1000 documents/).waitFor({ timeout: 2 * WAIT });
      await workbench.screenshot('4b-tag-folder-running');
      await progress.locator('.monaco-button', { hasText: 'Cancel' }).click();
      await workbench.notification(/tagging cancelled; files already written stay in/).waitFor({ timeout: WAIT });
      await workbench.statusBarItem(/tagging folder/).waitFor({ state: 'detached', timeout: WAIT });
      await workbench.screenshot('4c-tag-folder-cancelled');
      const written = fs.readdirSync(out).filter((f) => !f.startsWith('.bioner'));
      assert.ok(written.length < 1000, `stopped early (${written.length} files written)`);
      assert.deepEqual(written.filter((f) => f.endsWith('.tmp')), [], 'no temp file is left');
      for (const file of written) {
        const lines = fs.readFileSync(path.join(out, file), 'utf8').trim().split('\n');
        assert.equal(lines.length, 1, file);
        assert.equal((JSON.parse(lines[0]) as { entities: unknown[] }).entities.length, 800, `${file} is complete`);
      }
      assert.ok(!workbench.page.isClosed());
      fs.rmSync(big, { recursive: true, force: true });
      fs.rmSync(out, { recursive: true, force: true });
    }));

  it('Show Entities in File lists the entities and jumps to the chosen one', () =>
    step('show-entities', async () => {
      await workbench.openFile(NOTE);
      await workbench.runCommand('BioNER: Show Entities in File');
      await workbench.quickInput.locator('.monaco-list-row', { hasText: 'Ivacaftor' }).first().waitFor({ timeout: WAIT });
      const rows = await workbench.quickInput.locator('.monaco-list-row').allInnerTexts();
      await workbench.screenshot('5-show-entities');
      assert.ok(rows.some((r) => /cystic fibrosis/i.test(r) && /DISEASE/.test(r)), `rows:\n${rows.join('\n')}`);
      await workbench.pick('fever');
      // "fever" is on line 6 of the note.
      await workbench.statusBarItem(/Ln 6, Col \d+/).waitFor({ timeout: WAIT });
    }));

  it('Annotate Selection as… writes the annotation to the .ann beside the note', () =>
    step('annotate', async () => {
      // One sidecar per document: the note's is cystic-fibrosis-clinic.note.ann (formats/sidecar.ts).
      const ann = path.join(workspace, 'notes', 'cystic-fibrosis-clinic.note.ann');
      assert.ok(!fs.existsSync(ann));
      await workbench.openFile(NOTE);
      // "Pancrelipase" starts line 12 of the note: go there and select the word.
      await workbench.goToLine(12, 1);
      await workbench.page.keyboard.press('Control+Shift+ArrowRight');
      await workbench.runCommand('BioNER: Annotate Selection as…');
      await workbench.pick('Annotate as DRUG');
      const deadline = Date.now() + WAIT;
      while (!fs.existsSync(ann) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      await workbench.screenshot('6-annotated-selection');
      const note = fs.readFileSync(path.join(workspace, 'notes', 'cystic-fibrosis-clinic.note'), 'utf8');
      const at = note.indexOf('Pancrelipase');
      const content = fs.readFileSync(ann, 'utf8');
      assert.ok(content.startsWith('# bioner-review: partial\n'), 'a sidecar the editor starts is a partial review');
      assert.match(content, new RegExp(`^T\\d+\\tDRUG ${at} ${at + 12}\\tPancrelipase$`, 'm'));
    }));

  it('keeps the entity colours in a light theme', () =>
    step('light-theme', async () => {
      await workbench.runCommand('Preferences: Color Theme');
      await workbench.quickInput.locator('input').fill('Light Modern');
      await workbench.pick(/^Light Modern/);
      await workbench.page.locator('.monaco-workbench.vs').waitFor({ timeout: WAIT });
      await workbench.openFile(NOTE);
      const disease = await workbench.waitForColour('cystic fibrosis', DISEASE_RGB);
      const drug = await workbench.waitForColour('Ivacaftor', DRUG_RGB);
      await workbench.screenshot('7-light-theme');
      assert.equal(disease, DISEASE_RGB);
      assert.equal(drug, DRUG_RGB);
    }));

  it('Select Model… → Browse… sets bioner.model to the chosen folder', () =>
    step('select-model', async () => {
      // A copy of the lexicon model under another name, so the switch shows in the status bar.
      const copy = path.join(workspace, 'models', 'lexicon-copy');
      fs.cpSync(LEXICON_MODEL, copy, { recursive: true });
      fs.writeFileSync(path.join(copy, 'config.json'), JSON.stringify({ kind: 'lexicon', name: 'lexicon-copy', formatVersion: 1 }));
      await workbench.runCommand('BioNER: Select Model…');
      await workbench.pick(/Browse/);
      await workbench.chooseFolder(copy);
      await workbench.statusBarItem(/lexicon-copy/).waitFor();
      const settings = JSON.parse(fs.readFileSync(path.join(workspace, '.vscode', 'settings.json'), 'utf8'));
      // Inside the workspace folder: written relative to it.
      assert.equal(settings['bioner.model'], 'models/lexicon-copy');
    }));

  it('Open Model Card shows the active model\'s card, or says it has none', () =>
    step('model-card', async () => {
      const copy = path.join(workspace, 'models', 'lexicon-copy');
      await workbench.runCommand('BioNER: Open Model Card');
      await workbench.notification(/The active model has no model card/).waitFor({ timeout: WAIT });
      fs.writeFileSync(path.join(copy, 'MODEL_CARD.md'), '# lexicon-copy\n\nA test card.\n');
      await workbench.runCommand('BioNER: Open Model Card');
      await workbench.page.locator('.tab', { hasText: 'MODEL_CARD.md' }).first().waitFor({ timeout: WAIT });
      await workbench.screenshot('8a-model-card');
      await workbench.runCommand('View: Close Editor');
    }));

  it('Restart Server brings the server back with the same model, it answers, and the output channel says so', () =>
    step('restart-server', async () => {
      await workbench.openFile(NOTE);
      await workbench.runCommand('BioNER: Restart Server');
      await workbench.statusBarItem(/lexicon-copy · \d+ entities/).waitFor({ timeout: WAIT });
      // The new server answers: Show Entities in File asks it for the file's entities.
      await workbench.runCommand('BioNER: Show Entities in File');
      await workbench.quickInput.locator('.monaco-list-row', { hasText: 'Ivacaftor' }).first().waitFor({ timeout: WAIT });
      await workbench.closeQuickInput();
      // ... and hovers (the first hover part may be a Problems marker: look for the entity's own).
      await workbench.hoverText('Ivacaftor');
      await workbench.page.locator('.monaco-hover:not(.hidden)', { hasText: /DRUG\*{0,2} — \d+(\.\d)?% confident/ }).first().waitFor({ timeout: WAIT });
      // The BioNER output channel, as VS Code writes it to its logs (flushed after a short while).
      const logs = path.join(server.userDataDir, 'logs');
      const outputChannel = () =>
        fs
          .readdirSync(logs, { recursive: true, encoding: 'utf8' })
          .filter((f) => /BioNER[^/]*\.log$/.test(f))
          .map((f) => fs.readFileSync(path.join(logs, f), 'utf8'))
          .join('\n');
      const deadline = Date.now() + WAIT;
      while (!/Restarting the BioNER language server/.test(outputChannel()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
      assert.match(outputChannel(), /Restarting the BioNER language server/);
    }));

  it('Fine-tune explains that a dictionary model cannot be fine-tuned', () =>
    step('fine-tune-lexicon', async () => {
      await workbench.runCommand('BioNER: Fine-tune on Workspace Annotations');
      await workbench.notification(/the active model is a lexicon model; fine-tuning needs a neural one/).waitFor();
      assert.ok(!fs.existsSync(path.join(workspace, '.bioner')), 'nothing written');
    }));

  it(
    'Fine-tune on Workspace Annotations trains, reports F1 and switches to the new model',
    { skip: fineTuneSkip },
    () =>
      step('fine-tune', async () => {
        // Start from the shipped neural model (the workspace so far pointed at the lexicon fixture).
        writeWorkspaceSettings(workspace, {
          'bioner.diagnostics': 'uncertain',
          'bioner.fineTune.epochs': 3,
          ...(INIT_MODEL && { 'bioner.model': INIT_MODEL }),
        });
        await workbench.statusBarItem(/test-lexicon/).waitFor({ state: 'detached', timeout: WAIT });
        await workbench.runCommand('BioNER: Fine-tune on Workspace Annotations');
        const done = workbench.notification(/fine-tuned model saved/);
        await done.waitFor({ timeout: 4 * WAIT });
        await workbench.screenshot('8-fine-tune-done');
        const message = await done.innerText();
        // 6 BRAT documents in annotated/ plus the sidecars beside notes: far fewer held-out entities than a score needs.
        assert.match(message, /\d+ held-out entit(y|ies): too few to measure F1/);
        const models = path.join(workspace, '.bioner', 'models');
        const [saved] = fs.readdirSync(models);
        assert.ok(saved && fs.existsSync(path.join(models, saved, 'config.json')), 'the new model is saved');
        assert.ok(!fs.existsSync(path.join(workspace, '.bioner', 'runs', saved)), 'no scratch files are left');
        const name = (JSON.parse(fs.readFileSync(path.join(models, saved, 'config.json'), 'utf8')) as { name?: string }).name ?? saved;
        await done.locator('.monaco-button', { hasText: 'Use the New Model' }).click();
        await workbench.statusBarItem(name).waitFor({ timeout: WAIT });
        await workbench.screenshot('9-fine-tuned-model-active');
        const settings = JSON.parse(fs.readFileSync(path.join(workspace, '.vscode', 'settings.json'), 'utf8'));
        assert.equal(settings['bioner.model'], `.bioner/models/${saved}`);
      }),
  );
  it('Cancel stops fine-tuning and leaves no model behind', { skip: fineTuneSkip }, () =>
    step('fine-tune-cancel', async () => {
      const settingsFile = path.join(workspace, '.vscode', 'settings.json');
      const settings = JSON.parse(fs.readFileSync(settingsFile, 'utf8')) as Record<string, unknown>;
      writeWorkspaceSettings(workspace, { ...settings, 'bioner.fineTune.epochs': 500 });
      const models = path.join(workspace, '.bioner', 'models');
      const before = fs.existsSync(models) ? fs.readdirSync(models) : [];
      await workbench.runCommand('BioNER: Fine-tune on Workspace Annotations');
      const progress = workbench.notification(/fine-tuning/);
      // Cancel once training is under way (the epoch counter shows /500).
      await workbench.notification(/epoch \d+\/500/).waitFor({ timeout: 2 * WAIT });
      await workbench.statusBarItem(/fine-tuning/).waitFor({ timeout: WAIT });
      await workbench.screenshot('10-fine-tune-running');
      await progress.locator('.monaco-button', { hasText: 'Cancel' }).click();
      await workbench.notification(/fine-tuning cancelled; no model was saved/).waitFor({ timeout: WAIT });
      await workbench.statusBarItem(/fine-tuning/).waitFor({ state: 'detached', timeout: WAIT });
      assert.deepEqual(fs.existsSync(models) ? fs.readdirSync(models) : [], before, 'no new model');
      const runs = path.join(workspace, '.bioner', 'runs');
      assert.deepEqual(fs.existsSync(runs) ? fs.readdirSync(runs) : [], [], 'no scratch files');
      writeWorkspaceSettings(workspace, settings);
    }));
});
