import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cosineLearningRate, DEFAULT_FINETUNE, finetune, rehearsalSchedule } from '../../server/src/train/finetune';
import { seededRandom } from '../../server/src/model/batching';
import { readLabelledData } from '../../server/src/train/trainingData';
import { heldOutReport } from '../../server/src/train/heldOutReport';
import { evaluateModel } from '../../server/src/model/evaluateModel';
import { MAX_TOKENS_PER_PIECE } from '../../server/src/model/batching';
import { initEngine } from '../../server/src/engine/backend';
import { TINY_DATA, tinyModel } from './helpers/tinyTagger';
import { TaggerModel, taggerConfig } from '../../server/src/model/tagger';
import { PARTIAL_HEADER } from '../../server/src/formats/review';

const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');

function conll(sentences = TINY_DATA): string {
  return sentences.map((s) => s.tokens.map((t, i) => `${t}\t${s.tags[i]}`).join('\n')).join('\n\n') + '\n';
}

function bioner(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, BIONER_BACKEND: 'cpu' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('training data: a folder mixing BRAT pairs, CoNLL and JSONL is read whole; a lone .txt is not data', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bioner-data-'));
  mkdirSync(join(dir, 'notes'));
  writeFileSync(join(dir, 'notes', 'a.txt'), 'Aspirin induced asthma.');
  writeFileSync(join(dir, 'notes', 'a.ann'), 'T1\tChemical 0 7\tAspirin\nT2\tDisease 16 22\tasthma\n');
  writeFileSync(join(dir, 'notes', 'unannotated.txt'), 'Nothing here is labelled.');
  writeFileSync(join(dir, 'b.conll'), conll(TINY_DATA.slice(0, 2)));
  writeFileSync(join(dir, 'c.jsonl'), JSON.stringify({ text: 'Cisplatin causes renal failure.', entities: [{ start: 17, end: 30, label: 'Disease' }] }) + '\n');
  const data = readLabelledData(dir);
  const rendered = data.sentences.map((s) => s.tokens.map((t, i) => (s.tags[i] === 'O' ? t : `${t}/${s.tags[i]}`)).join(' '));
  assert.deepEqual(rendered.sort(), [
    'Aspirin/B-Chemical induced asthma/B-Disease .',
    'Aspirin/B-Chemical induced asthma/B-Disease in two patients .',
    'Cisplatin causes renal/B-Disease failure/I-Disease .',
    'Cisplatin/B-Chemical causes renal/B-Disease failure/I-Disease .',
  ]);
  assert.equal(data.files.length, 3);
  rmSync(dir, { recursive: true });
});

test('bioner train: progress JSON, a saved model, --init-model continues it and refuses to overwrite it', () => {
  assert.ok(existsSync(CLI), 'build first (node scripts/test.mjs builds dist/)');
  const dir = mkdtempSync(join(tmpdir(), 'bioner-train-'));
  writeFileSync(join(dir, 'train.conll'), conll());
  const first = join(dir, 'first');
  const common = ['--train', join(dir, 'train.conll'), '--dev', join(dir, 'train.conll'), '--representation', 'tiny', '--batch-tokens', '64'];
  const config = JSON.stringify({ tagger: { encoder: { hiddenSize: 16, dropout: 0 } }, training: { bilmLrFactor: 1 } });
  let r = bioner(['train', ...common, '--out', first, '--epochs', '3', '--lr', '0.03', '--no-freeze-bilm', '--config', config, '--label-map', 'Chemical=DRUG', '--progress-json']);
  assert.equal(r.status, 0, r.stderr);
  const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual([...new Set(events.map((e) => e.event))], ['start', 'progress', 'epoch', 'done']);
  assert.equal(events.filter((e) => e.event === 'epoch').length, 3);
  const done = events[events.length - 1];
  assert.equal(done.model, first);
  assert.ok(done.devF1 >= 0 && done.devF1 <= 1);
  const saved = JSON.parse(readFileSync(join(first, 'config.json'), 'utf8'));
  assert.deepEqual(saved.labels.types, ['DRUG', 'Disease']);
  assert.equal(saved.kind, 'neural');
  assert.ok(saved.metrics.dev.overall.f1 >= 0);
  assert.match(saved.provenance.command, /bioner train/);

  // bioner eval --model: CoNLL gold tagged on its own tokens, JSONL gold tagged from its text.
  r = bioner(['eval', '--model', first, '--label-map', 'Chemical=DRUG', '--json', join(dir, 'train.conll')]);
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.equal(report.overall.gold, 9);
  assert.deepEqual(report.perType.map((t: { label: string }) => t.label).sort(), ['DRUG', 'Disease']);
  assert.ok(report.overall.f1 >= 0 && report.overall.f1 <= 1);
  writeFileSync(join(dir, 'gold.jsonl'), JSON.stringify({ id: 'd1', text: 'Cisplatin causes renal failure.', entities: [{ start: 0, end: 9, label: 'Chemical' }] }) + '\n');
  r = bioner(['eval', '--model', first, '--label-map', 'Chemical=DRUG', '--json', join(dir, 'gold.jsonl')]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).overall.gold, 1);

  // Refuses to write into the folder the model is loaded from; the model stays intact.
  r = bioner(['train', '--init-model', first, '--train', join(dir, 'train.conll'), '--out', first, '--label-map', 'Chemical=DRUG']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /--out .*--init-model folder/);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace for a user error');
  assert.deepEqual(JSON.parse(readFileSync(join(first, 'config.json'), 'utf8')), saved);

  // Types the model does not know are learnt as new tags.
  const third = join(dir, 'third');
  r = bioner(['train', '--init-model', first, '--train', join(dir, 'train.conll'), '--out', third, '--epochs', '1']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /new entity types Chemical/);
  assert.deepEqual(JSON.parse(readFileSync(join(third, 'config.json'), 'utf8')).labels.types, ['DRUG', 'Disease', 'Chemical']);

  // Continues fine-tuning: reports the initial dev F1 and writes a new model.
  const second = join(dir, 'second');
  r = bioner(['train', '--init-model', first, ...common.slice(0, 4), '--out', second, '--epochs', '1', '--label-map', 'Chemical=DRUG', '--progress-json']);
  assert.equal(r.status, 0, r.stderr);
  const doneAgain = JSON.parse(r.stdout.trim().split('\n').pop()!);
  assert.equal(doneAgain.event, 'done');
  assert.equal(typeof doneAgain.initialDevF1, 'number');
  assert.equal(JSON.parse(readFileSync(join(second, 'config.json'), 'utf8')).provenance.initModel, first);
  rmSync(dir, { recursive: true });
});

test('bioner train: --terms saves a terms.tsv with the model, --init-model passes its own on, --no-terms drops it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bioner-train-terms-'));
  writeFileSync(join(dir, 'train.conll'), conll());
  writeFileSync(join(dir, 'terms.tsv'), '# mine\nacute renal failure\tDisease\n');
  const common = ['--train', join(dir, 'train.conll'), '--representation', 'tiny', '--batch-tokens', '64', '--epochs', '1'];
  const first = join(dir, 'first');
  let r = bioner(['train', ...common, '--out', first, '--terms', join(dir, 'terms.tsv')]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /terms: 1 multi-word names from .*terms\.tsv/);
  assert.equal(readFileSync(join(first, 'terms.tsv'), 'utf8'), readFileSync(join(dir, 'terms.tsv'), 'utf8'));
  const second = join(dir, 'second');
  r = bioner(['train', '--init-model', first, ...common, '--out', second]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(readFileSync(join(second, 'terms.tsv'), 'utf8'), readFileSync(join(dir, 'terms.tsv'), 'utf8'), 'inherited');
  const third = join(dir, 'third');
  r = bioner(['train', '--init-model', first, ...common, '--out', third, '--no-terms']);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(existsSync(join(third, 'config.json')) && !existsSync(join(third, 'terms.tsv')));
  // A malformed term list fails before any training, naming its line, and writes nothing.
  writeFileSync(join(dir, 'bad.tsv'), 'acute renal failure\tDisease\nfailure\tDisease\n');
  r = bioner(['train', ...common, '--out', join(dir, 'fourth'), '--terms', join(dir, 'bad.tsv')]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /bad\.tsv:2: expected "term of two or more words<TAB>LABEL"/);
  assert.ok(!existsSync(join(dir, 'fourth')));
  rmSync(dir, { recursive: true });
});

test('bioner train --init-model: rehearses its rehearsal.conll and passes it on; --no-rehearse leaves it out; --self-labels soft and --anchor are taken; annotated words new to it get their own embeddings unless --no-new-words', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bioner-train-rehearse-'));
  writeFileSync(join(dir, 'train.conll'), conll());
  const common = ['--representation', 'tiny', '--batch-tokens', '64', '--epochs', '1'];
  const first = join(dir, 'first');
  let r = bioner(['train', '--train', join(dir, 'train.conll'), ...common, '--out', first]);
  assert.equal(r.status, 0, r.stderr);
  const sample = conll(TINY_DATA.slice(0, 2));
  writeFileSync(join(first, 'rehearsal.conll'), sample);
  // The user's partial annotation: one mention, the rest unreviewed.
  mkdirSync(join(dir, 'notes'));
  writeFileSync(join(dir, 'notes', 'a.txt'), 'Ammonia coma was seen after valproic acid.');
  writeFileSync(join(dir, 'notes', 'a.ann'), `${PARTIAL_HEADER}\nT1\tChemical 0 7\tAmmonia\n`);
  const second = join(dir, 'second');
  r = bioner(['train', '--init-model', first, '--train', join(dir, 'notes'), ...common.slice(2), '--out', second, '--self-labels', 'soft', '--anchor', '0.5']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /rehearsal: 2 sentences of the initial model's own training data.*; 1 per epoch beside your 1 \(--rehearse-ratio 1\)/);
  assert.match(r.stderr, /self-labels: .*soft/);
  assert.match(r.stderr, /3 training sentences/, 'one of the user plus two rehearsed');
  assert.equal(readFileSync(join(second, 'rehearsal.conll'), 'utf8'), sample, 'passed on to the new model');
  assert.equal(JSON.parse(readFileSync(join(second, 'config.json'), 'utf8')).provenance.training.anchor, 0.5);
  // The annotated name the first model's task vocabulary lacks gets an embedding of its own.
  const taskWords = (model: string) => readFileSync(join(model, 'task-words.txt'), 'utf8').trim().split('\n');
  assert.ok(!taskWords(first).includes('ammonia'));
  assert.deepEqual(taskWords(second), [...taskWords(first), 'ammonia']);
  assert.match(r.stderr, /new words: 1 annotated word not in the model's task vocabulary, each given an embedding of its own \(ammonia\)/);
  const third = join(dir, 'third');
  r = bioner(['train', '--init-model', first, '--train', join(dir, 'notes'), ...common.slice(2), '--out', third, '--no-rehearse', '--no-new-words']);
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /rehearsal:|new words:/);
  assert.ok(!existsSync(join(third, 'rehearsal.conll')));
  assert.deepEqual(taskWords(third), taskWords(first));
  r = bioner(['train', '--init-model', first, '--train', join(dir, 'notes'), '--out', join(dir, 'fourth'), '--self-labels', 'hard']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /expected 'soft' or a confidence/);
  rmSync(dir, { recursive: true });
});

test('rehearsal schedule: every epoch has all the user\'s sentences and ratio x as many rehearsed ones, each rehearsed once per cycle', () => {
  const sentence = (rehearsal: boolean) => ({ tokens: ['a'], tags: ['O'], ...(rehearsal ? { rehearsal } : {}) });
  // 3 of the user's (indices 0-2) and 10 rehearsal sentences (3-12).
  const train = [sentence(false), sentence(true), sentence(false), ...Array.from({ length: 9 }, () => sentence(true)), sentence(false)];
  const own = [0, 2, 12];
  const schedule = rehearsalSchedule(train, 1, seededRandom(3));
  assert.deepEqual(schedule.peek(), schedule.peek(), 'peeking takes nothing');
  const seen: number[] = [];
  for (let epoch = 0; epoch < 3; epoch++) {
    const sentences = schedule.next();
    assert.deepEqual(sentences.slice(0, 3), own);
    const rehearsed = sentences.slice(3);
    assert.equal(rehearsed.length, 3, 'ratio 1: as many rehearsed as the user\'s');
    assert.equal(new Set(rehearsed).size, 3);
    assert.ok(rehearsed.every((i) => train[i].rehearsal));
    seen.push(...rehearsed);
  }
  assert.equal(new Set(seen).size, 9, 'the first three epochs rehearse nine different sentences of the ten');
  assert.equal(rehearsalSchedule(train, 0.5, seededRandom(1)).next().length, 3 + 2, 'ceil(0.5 x 3)');
  assert.equal(rehearsalSchedule(train, 100, seededRandom(1)).next().length, 13, 'all of them when the ratio asks for more');
  assert.deepEqual(rehearsalSchedule(train.filter((s) => !s.rehearsal), 1, seededRandom(1)).next(), [0, 1, 2], 'no rehearsal: the user\'s only');
});

test('without a dev set the learning rate follows a cosine from lr to minLr and the last epoch is kept', () => {
  const options = { lr: 0.01, minLr: 0.0001, epochs: 5 };
  const rates = [1, 2, 3, 4, 5].map((e) => cosineLearningRate(options, e));
  assert.equal(rates[0], 0.01);
  assert.ok(Math.abs(rates[2] - 0.00505) < 1e-12, 'half-way: the mean of lr and minLr');
  assert.ok(Math.abs(rates[4] - 0.0001) < 1e-12);
  rates.slice(1).forEach((r, i) => assert.ok(r < rates[i], 'decreasing'));
  assert.equal(cosineLearningRate({ ...options, epochs: 1 }, 1), 0.01);
});

test('scheduleEpochs: training stops part-way down a longer cosine, at the rates of its first epochs', () => {
  const twelve = { lr: 0.005, minLr: 0.0001, epochs: 12 };
  const nineOfTwelve = { ...twelve, epochs: 9, scheduleEpochs: 12 };
  for (let e = 1; e <= 9; e++) assert.equal(cosineLearningRate(nineOfTwelve, e), cosineLearningRate(twelve, e));
  assert.ok(cosineLearningRate(nineOfTwelve, 9) > twelve.minLr * 5, 'epoch 9 of 12 is not yet at minLr');
});

test('bioner train: several --train paths are read together; without --dev the model of the last epoch is written', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bioner-train-nodev-'));
  writeFileSync(join(dir, 'a.conll'), conll(TINY_DATA.slice(0, 3)));
  writeFileSync(join(dir, 'b.conll'), conll(TINY_DATA.slice(3)));
  const out = join(dir, 'model');
  const r = bioner(['train', '--train', join(dir, 'a.conll'), join(dir, 'b.conll'), '--representation', 'tiny', '--batch-tokens', '64',
    '--epochs', '3', '--lr', '0.02', '--out', out, '--progress-json']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`${TINY_DATA.length} training sentences`));
  const epochs = r.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.event === 'epoch');
  assert.deepEqual(epochs.map((e) => e.lr), [1, 2, 3].map((e) => cosineLearningRate({ ...DEFAULT_FINETUNE, lr: 0.02, epochs: 3 }, e)));
  const saved = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
  assert.deepEqual(saved.provenance.trainData.map((d: { path: string }) => d.path), [join(dir, 'a.conll'), join(dir, 'b.conll')]);
  assert.equal(saved.metrics.epochs, 3);
  assert.equal(saved.provenance.devData, undefined);
  assert.match(r.stderr, /no dev set: the model of epoch 3 ->/);

  // --schedule-epochs 5 with --epochs 3: the first three rates of a 5-epoch cosine.
  const partWay = bioner(['train', '--train', join(dir, 'a.conll'), '--representation', 'tiny', '--batch-tokens', '64',
    '--epochs', '3', '--schedule-epochs', '5', '--lr', '0.02', '--out', join(dir, 'part-way'), '--progress-json']);
  assert.equal(partWay.status, 0, partWay.stderr);
  const partWayRates = partWay.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.event === 'epoch').map((e) => e.lr);
  assert.deepEqual(partWayRates, [1, 2, 3].map((e) => cosineLearningRate({ ...DEFAULT_FINETUNE, lr: 0.02, epochs: 5 }, e)));

  // --lr-schedule cosine with a dev set: the same rates, and dev F1 still picks the epoch that is saved.
  const withDev = join(dir, 'with-dev');
  const c = bioner(['train', '--train', join(dir, 'a.conll'), '--dev', join(dir, 'b.conll'), '--representation', 'tiny', '--batch-tokens', '64',
    '--epochs', '3', '--lr', '0.02', '--lr-schedule', 'cosine', '--patience', '1', '--out', withDev, '--progress-json']);
  assert.equal(c.status, 0, c.stderr);
  const events = c.stdout.trim().split('\n').map((l) => JSON.parse(l));
  const cosineEpochs = events.filter((e) => e.event === 'epoch');
  assert.deepEqual(cosineEpochs.map((e) => e.lr), epochs.map((e) => e.lr), 'no plateau halving, even with patience 1');
  const best = cosineEpochs.reduce((a, b) => (b.devF1 > a.devF1 ? b : a));
  const savedWithDev = JSON.parse(readFileSync(join(withDev, 'config.json'), 'utf8'));
  assert.equal(savedWithDev.metrics.bestEpoch, best.epoch);
  assert.equal(savedWithDev.provenance.training.lrSchedule, 'cosine');
  rmSync(dir, { recursive: true });
});

test('bioner train --init-model: a dev part of fewer than 30 entities only scores before and after; the last epoch is kept', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bioner-train-small-dev-'));
  writeFileSync(join(dir, 'train.conll'), conll());
  const common = ['--train', join(dir, 'train.conll'), '--dev', join(dir, 'train.conll'), '--representation', 'tiny', '--batch-tokens', '64'];
  const first = join(dir, 'first');
  let r = bioner(['train', ...common, '--out', first, '--epochs', '1', '--label-map', 'Chemical=DRUG']);
  assert.equal(r.status, 0, r.stderr);
  const second = join(dir, 'second');
  r = bioner(['train', '--init-model', first, ...common.slice(0, 4), '--out', second, '--epochs', '3', '--lr', '0.02', '--label-map', 'Chemical=DRUG', '--progress-json']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /dev part: 9 entities, too few to measure F1 or pick an epoch by \(fewer than 30\)/);
  const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.ok(!events.some((e) => e.event === 'initial'), 'no F1 before on 9 entities');
  const epochs = events.filter((e) => e.event === 'epoch');
  assert.ok(epochs.every((e) => e.devF1 === undefined), 'no F1 per epoch either');
  assert.deepEqual(epochs.map((e) => e.lr), [1, 2, 3].map((e) => cosineLearningRate({ ...DEFAULT_FINETUNE, lr: 0.02, epochs: 3 }, e)));
  const done = events[events.length - 1];
  assert.equal(done.bestEpoch, 3);
  assert.equal(done.heldOut.heldOutEntities, 9);
  assert.equal(done.heldOut.measurable, false);
  const saved = JSON.parse(readFileSync(join(second, 'config.json'), 'utf8'));
  assert.equal(saved.metrics.epochs, 3);
  assert.match(r.stderr, /dev part too small to pick by: the model of epoch 3 ->/);
  rmSync(dir, { recursive: true });
});

test('a dev sentence longer than a piece: the best epoch\'s dev predictions line up with the dev set given, so the held-out "after" is its dev F1', async () => {
  await initEngine({ backend: 'cpu' });
  // One run-on sentence (cut in pieces for training) in the middle of the dev set: each sentence after it used to be
  // paired with the predictions of the one before, and the "after" F1 fell far below the dev F1 of the same model.
  const long = { tokens: Array(7).fill(TINY_DATA).flat().flatMap((s) => s.tokens), tags: Array(7).fill(TINY_DATA).flat().flatMap((s) => s.tags) };
  assert.ok(long.tokens.length > MAX_TOKENS_PER_PIECE);
  const dev = [...TINY_DATA.slice(0, 3), long, ...TINY_DATA.slice(3)];
  const model = tinyModel();
  const initial = evaluateModel(model, dev);
  const options = { ...DEFAULT_FINETUNE, epochs: 30, lr: 0.05, batchTokens: 64, freezeBilm: true, cacheBilmFeatures: true, patience: 100 };
  const result = await finetune(model, TINY_DATA, dev, options);
  const best = result.bestDev!;
  assert.deepEqual(best.predictions.map((p) => p.length), dev.map((s) => s.tokens.length));
  // Only needs some entities to compare.
  assert.ok(best.overall.f1 > 0.1, `the tiny model learnt something: dev F1 ${best.overall.f1}`);
  // Scored as the initial model is: the saved model tagged afresh gets the best epoch's dev F1.
  assert.ok(Math.abs(evaluateModel(model, dev).overall.f1 - best.overall.f1) < 1e-9);
  const report = heldOutReport(dev, initial.predictions, best.predictions, model.tagSet.types);
  assert.equal(report.measurable, true);
  assert.ok(Math.abs(report.f1After! - best.overall.f1) < 1e-9, `after ${report.f1After} vs dev F1 ${best.overall.f1}`);
  assert.ok(Math.abs(report.f1Before! - initial.overall.f1) < 1e-9);
  model.dispose();
});

test('the seed repeats a fine-tuning run exactly, dropout included; another seed trains differently', async () => {
  await initEngine({ backend: 'cpu' });
  const base = tinyModel();
  // The tiny model with dropout and word dropout, all three copies starting from the same weights.
  const config = taggerConfig({ ...base.config, encoder: { ...base.config.encoder, dropout: 0.5, wordEmbeddingDim: 4, wordDropout: 0.3 } });
  const first = new TaggerModel(tinyModel().bilm, base.tagSet, config, ['<unk>', 'aspirin', 'asthma']);
  const copy = () => {
    const model = new TaggerModel(tinyModel().bilm, base.tagSet, config, first.words);
    model.setWeights(first.getWeights());
    return model;
  };
  const [again, other] = [copy(), copy()];
  const options = { ...DEFAULT_FINETUNE, epochs: 2, lr: 0.05, batchTokens: 64, freezeBilm: true, cacheBilmFeatures: true };
  const weights = async (model: TaggerModel, seed: number) => {
    await finetune(model, TINY_DATA, [], { ...options, seed });
    return Object.fromEntries(Object.entries(model.getWeights()).map(([name, t]) => [name, Array.from(t.dataSync())]));
  };
  const one = await weights(first, 1);
  assert.deepEqual(await weights(again, 1), one);
  assert.notDeepEqual(await weights(other, 2), one);
  for (const m of [base, first, again, other]) m.dispose();
});
