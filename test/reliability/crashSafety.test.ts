// kill -9 in the middle of a write never leaves a damaged file: `bioner tag --format brat --out` (bulk outputs),
// `bioner train` saving a model folder, and the language server writing a .ann from a code action. The previous file
// (or model) is intact, and a rerun completes. Fine-tuning never writes over the model it starts from.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { COMPLETED_FILE } from '../../server/src/bulk/outputs';
import { parseAnn } from '../../server/src/formats/brat';
import { EditAnnotationCommand } from '../../server/src/lsp/protocol';
import type { AnnotationEdit } from '../../server/src/lsp/codeActions';
import { LspTestClient } from '../lsp/lspClient';
import { assertUserFailure, lexiconModel, runCli, scratchDir, sleep, startCli, tinyConll, tinyNeuralModelDir } from './helpers';

/** Every file under `root` (relative path -> content), hidden temp files included; not bioner tag's record of its outputs. */
function snapshot(root: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string, prefix: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(dir, entry.name), `${prefix}${entry.name}/`);
      else if (entry.name !== COMPLETED_FILE) files.set(`${prefix}${entry.name}`, readFileSync(join(dir, entry.name), 'utf8'));
    }
  };
  walk(root, '');
  return files;
}

const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));

/** Polls until `found()` returns something, or the child exits first (undefined). Polling every 1 ms is cheap. */
async function watchFor<T>(child: ChildProcess, found: () => T | undefined, timeoutMs = 60_000): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (child.exitCode === null && child.signalCode === null && Date.now() < deadline) {
    const hit = found();
    if (hit !== undefined) return hit;
    await sleep(1);
  }
  return undefined;
}

describe('kill -9 while writing', () => {
  it('bioner tag --format brat --out: outputs are the old or the new file, never a mix; a rerun completes', async () => {
    const root = scratchDir('crash-tag');
    const input = join(root, 'notes');
    mkdirSync(input);
    const line = 'Aspirin was stopped after fever; naloxone reversed the overdose in cystic fibrosis.\n';
    writeFileSync(join(input, 'big.txt'), line.repeat(12_000)); // ~1 MB, ~48,000 entities: long enough to be caught mid-write
    writeFileSync(join(input, 'small.txt'), 'Ivacaftor for cystic fibrosis.\n');
    const out = join(root, 'out');
    const tag = (target: string, ...flags: string[]) => ['tag', input, '--model', lexiconModel, '--format', 'brat', '--out', target, '--workers', '1', ...flags];

    assert.equal(runCli(tag(out)).code, 0);
    const before = snapshot(out);
    assert.deepEqual([...before.keys()].sort(), ['big.ann', 'big.txt', 'small.ann', 'small.txt']);

    // New inputs; the expected new outputs come from an undisturbed run elsewhere.
    appendFileSync(join(input, 'big.txt'), 'Later: ivacaftor.\n');
    writeFileSync(join(input, 'small.txt'), 'Naloxone given; aspirin held.\n');
    const reference = join(root, 'reference');
    assert.equal(runCli(tag(reference)).code, 0);
    const after = snapshot(reference);

    const child = startCli(tag(out, '--force'));
    const temp = await watchFor(child, () => readdirSync(out).find((f) => f.startsWith('.big.ann.') && f.endsWith('.tmp')));
    child.kill('SIGKILL');
    await exited(child);
    assert.ok(temp, 'the run was killed while big.ann was being written');
    const killed = snapshot(out);
    for (const [name, content] of killed) {
      if (name.startsWith('.')) continue; // the killed run's hidden temp files
      assert.ok(content === before.get(name) || content === after.get(name), `${name} is a complete old or new file`);
    }
    assert.equal(killed.get('big.ann'), before.get('big.ann'), 'the .ann being written when killed is the previous one');
    assert.doesNotThrow(() => parseAnn(killed.get('big.ann')!, killed.get('big.txt')!, 'big.ann'), 'the pair still matches');

    const rerun = runCli(tag(out));
    assert.equal(rerun.code, 0, rerun.stderr);
    const final = snapshot(out);
    for (const [name, content] of after) assert.equal(final.get(name), content, `${name} after the rerun`);
    assert.ok(killed.has(temp), 'the killed run left its temp file behind');
    assert.deepEqual([...final.keys()].sort(), [...after.keys()].sort(), 'the rerun removed the temp files of the killed run');
  });

  it('bioner train: the previous model folder stays loadable while a save is killed, and a rerun completes', async () => {
    const root = scratchDir('crash-train');
    const conll = tinyConll(root);
    const out = join(root, 'model');
    const train = (...flags: string[]) => ['train', '--train', conll, '--dev', conll, '--representation', 'tiny', '--out', out, ...flags];
    assert.equal(runCli(train('--epochs', '1')).code, 0);
    const previous = snapshot(out);

    let killedDuringSave = false;
    for (let attempt = 0; attempt < 4 && !killedDuringSave; attempt++) {
      const child = startCli(train('--epochs', '40', '--lr', '0.05', '--no-freeze-bilm', '--batch-tokens', '16', '--seed', String(attempt)));
      const temp = await watchFor(child, () => readdirSync(root).find((f) => f.startsWith('.model.tmp-')));
      child.kill('SIGKILL');
      await exited(child);
      killedDuringSave = temp !== undefined && existsSync(join(root, temp));
      // Whatever the moment, the folder is a complete model: the previous one, or a newer complete save.
      const info = runCli(['info', '--model', out]);
      assert.equal(info.code, 0, `the model folder loads after kill -9: ${info.stderr}`);
      const now = snapshot(out);
      if (killedDuringSave) assert.deepEqual(now, previous, 'killed mid-save: the previous model, byte for byte');
    }
    assert.ok(killedDuringSave, 'one of the runs was killed while it saved');

    const rerun = runCli(train('--epochs', '2'));
    assert.equal(rerun.code, 0, rerun.stderr);
    assert.equal(runCli(['info', '--model', out]).code, 0);
    assert.equal(runCli(['tag', conll, '--model', out, '--workers', '0']).code, 0);
    assert.deepEqual(readdirSync(root).filter((f) => f.startsWith('.model.')), [], 'the rerun removed the killed save\'s temp folder');

    // Killed between its two renames (previous model moved aside, new one not yet in place): the next save still
    // completes and leaves nothing behind.
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid;
    renameSync(out, join(root, `.model.old-${deadPid}-1`));
    mkdirSync(join(root, `.model.tmp-${deadPid}-2`));
    writeFileSync(join(root, `.model.tmp-${deadPid}-2`, 'weights.bin'), 'partial');
    const afterGap = runCli(train('--epochs', '1'));
    assert.equal(afterGap.code, 0, afterGap.stderr);
    assert.equal(runCli(['info', '--model', out]).code, 0);
    assert.deepEqual(readdirSync(root).filter((f) => f.startsWith('.model.')), []);
  });

  it('the language server killed during a burst of .ann edits leaves a valid .ann with every earlier line', async () => {
    const dir = scratchDir('crash-lsp');
    const text = Array.from({ length: 60 }, (_, i) => `Visit ${i}: aspirin for fever.`).join('\n') + '\n';
    const path = join(dir, 'visits.txt');
    writeFileSync(path, text);
    const original = '#1\tAnnotatorNotes T1\treviewed by hand\nT1\tDRUG 9 16\taspirin\n';
    writeFileSync(join(dir, 'visits.ann'), original);
    const uri = pathToFileURL(path).href;

    const client = await LspTestClient.start({ model: lexiconModel });
    client.open(uri, text);
    await client.tokens(uri);
    const edits: AnnotationEdit[] = [];
    for (let at = text.indexOf('fever'); at >= 0; at = text.indexOf('fever', at + 1)) {
      edits.push({ uri, op: 'add', start: at, end: at + 5, text: 'fever', label: 'DISEASE' });
    }
    const sent = edits.map((edit) => client.connection.sendRequest('workspace/executeCommand', { command: EditAnnotationCommand, arguments: [edit] }).catch(() => 'lost'));
    await sent[3];
    client.process.kill('SIGKILL');
    await exited(client.process);
    client.connection.dispose(); // not stop(): its shutdown/exit messages would be written to a dead process

    const content = readFileSync(join(dir, 'visits.ann'), 'utf8');
    assert.ok(content.startsWith(original), 'the hand-made lines are kept');
    const { entities } = parseAnn(content, text, 'visits.ann'); // strict: every line complete and matching the text
    const added = entities.length - 1;
    assert.ok(added >= 4 && added <= edits.length, `${added} annotations added before the kill`);
    assert.equal(new Set(entities.map((e) => e.id)).size, entities.length, 'ids unique');
    assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')).length <= 1, true, 'at most the one write in flight left a temp file');

    // A restarted server continues the same file.
    const again = await LspTestClient.start({ model: lexiconModel });
    try {
      again.open(uri, text);
      await again.tokens(uri);
      const last = edits[edits.length - 1];
      await again.connection.sendRequest('workspace/executeCommand', { command: EditAnnotationCommand, arguments: [{ ...last, label: 'SYMPTOM' }] });
      const final = parseAnn(readFileSync(join(dir, 'visits.ann'), 'utf8'), text, 'visits.ann').entities;
      assert.equal(final.length, entities.length + 1);
      assert.equal(final[final.length - 1].label, 'SYMPTOM');
    } finally {
      await again.stop();
    }
  });
});

describe('fine-tuning never replaces the model it starts from', () => {
  it('--out equal to, inside, or a symlink to the --init-model folder (either way round) is refused and the model is unchanged', async () => {
    const model = await tinyNeuralModelDir();
    const root = scratchDir('init-model');
    const conll = tinyConll(root);
    const alias = join(root, 'alias');
    symlinkSync(model, alias);
    const unchanged = snapshot(model);
    const refused = (initModel: string, out: string) =>
      assertUserFailure(runCli(['train', '--init-model', initModel, '--train', conll, '--epochs', '1', '--out', out]), /--init-model folder/);
    refused(model, model);
    refused(model, join(model, 'inner'));
    refused(model, alias);
    refused(alias, model);
    refused(alias, join(alias, 'inner'));
    assert.deepEqual(snapshot(model), unchanged);
    // A copy is the way to continue training it.
    const copy = join(root, 'copy');
    cpSync(model, copy, { recursive: true });
    assert.equal(runCli(['train', '--init-model', model, '--train', conll, '--epochs', '1', '--out', copy]).code, 0);
    assert.deepEqual(snapshot(model), unchanged);
  });
});
