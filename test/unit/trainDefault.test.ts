// `npm run train:default` (scripts/train-default.sh), the recipe of the shipped model, end to end on a tiny stand-in
// for the data folder: the train (on case-augmented copies), calibrate and eval stages run (pre-training skipped: a
// random tiny BiLM), the test scores land in the model's config.json, a second run skips what is done, SELF_TRAIN=1
// self-trains (teachers, pseudo-labels of the unlabelled text, the tagger on train + pseudo-labels), TRAIN_WITH_DEV=1
// trains on train + dev, INIT_MODEL continues a tagger, and pre-training refuses the test split's text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TINY_DATA } from './helpers/tinyTagger';

const REPO = join(__dirname, '..', '..');

function script(env: Record<string, string>): { status: number | null; stderr: string } {
  const r = spawnSync('bash', [join(REPO, 'scripts', 'train-default.sh')], {
    cwd: REPO,
    encoding: 'utf8',
    env: { ...process.env, BIONER_BACKEND: 'cpu', ...env },
  });
  return { status: r.status, stderr: r.stderr };
}

test('train-default.sh: train and eval stages on tiny data, resumable, scores recorded in config.json', () => {
  const root = mkdtempSync(join(tmpdir(), 'bioner-train-default-'));
  try {
    const data = join(root, 'data');
    mkdirSync(join(data, 'bc5cdr', 'pubtator'), { recursive: true });
    mkdirSync(join(data, 'pubmed-text'));
    const conll = TINY_DATA.map((s) => s.tokens.map((t, i) => `${t}\t${s.tags[i]}`).join('\n')).join('\n\n') + '\n';
    for (const split of ['train', 'devel', 'test']) writeFileSync(join(data, 'bc5cdr', `${split}.tsv`), conll);
    for (const name of ['CDR_TrainingSet', 'CDR_DevelopmentSet']) {
      writeFileSync(join(data, 'bc5cdr', 'pubtator', `${name}.PubTator.txt`), '1|t|Aspirin induced asthma.\n1|a|No more.\n\n');
    }
    writeFileSync(join(data, 'pubmed-text', 'text.txt'), 'Cisplatin causes renal failure.\n');
    const env = {
      BIONER_DATA: data,
      WORK: join(root, 'work'),
      OUT: join(root, 'model'),
      SKIP_STAGES: 'pretrain',
      REPRESENTATION: 'tiny',
      TRAIN_EPOCHS: '2',
    };
    const first = script(env);
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stderr, /stage 3\/4: train \(2 epochs/);
    assert.doesNotMatch(first.stderr, /teacher|pseudo/);
    const config = JSON.parse(readFileSync(join(root, 'model', 'config.json'), 'utf8'));
    assert.equal(config.name, 'bioner-default');
    assert.deepEqual(Object.keys(config.metrics.test.perType).sort(), ['DISEASE', 'DRUG']);
    assert.equal(typeof config.metrics.test.strict.f1, 'number');
    assert.match(config.provenance.command, /--seed 2 --lr-schedule cosine/);
    // Trained on train.tsv with case-augmented copies, then calibrated on dev.
    assert.deepEqual(config.provenance.trainData.map((d: { path: string }) => d.path.split('/').pop()), ['train-augmented.tsv']);
    const augmented = readFileSync(join(root, 'work', 'train-augmented.tsv'), 'utf8');
    assert.ok(augmented.split('\n\n').length > TINY_DATA.length, 'copies added');
    assert.ok(augmented.includes(conll.split('\n\n')[0]), 'the original sentences are kept');
    assert.equal(typeof config.calibration.temperature, 'number');
    assert.match(first.stderr, /calibrate the confidences/);
    // The folder ships a rehearsal sample of train.tsv in the model's own labels (fine-tuning rehearses it).
    const rehearsal = readFileSync(join(root, 'model', 'rehearsal.conll'), 'utf8');
    assert.ok(rehearsal.includes('B-DRUG') && !rehearsal.includes('Chemical'), rehearsal);

    const again = script(env);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stderr, /stage 3\/4: train done already/);

    // SELF_TRAIN=1: teachers, their pseudo-labels of the unlabelled text, the tagger on train + pseudo-labels.
    const selfTrained = script({ ...env, OUT: join(root, 'model-self-trained'), SELF_TRAIN: '1', TEACHER_SEEDS: '1 2' });
    assert.equal(selfTrained.status, 0, selfTrained.stderr);
    assert.match(selfTrained.stderr, /stage 3\/4: teacher, seed 1/);
    assert.match(selfTrained.stderr, /stage 3\/4: teacher, seed 2/);
    assert.match(selfTrained.stderr, /stage 3\/4: train \(2 epochs, at most 90 minutes, on train \+ pseudo-labels\)/);
    for (const seed of [1, 2]) assert.equal(JSON.parse(readFileSync(join(root, 'work', `teacher-s${seed}`, 'config.json'), 'utf8')).name, `teacher-s${seed}`);
    // The pseudo-labels: the unlabelled sentence, in CoNLL, with the model's labels (or O).
    const pseudo = readFileSync(join(root, 'work', 'pseudo.tsv'), 'utf8').trim().split('\n').map((l) => l.split('\t'));
    assert.deepEqual(pseudo.map(([token]) => token), ['Cisplatin', 'causes', 'renal', 'failure', '.']);
    for (const [, tag] of pseudo) assert.match(tag, /^(O|[BI]-(DRUG|DISEASE))$/);
    const student = JSON.parse(readFileSync(join(root, 'model-self-trained', 'config.json'), 'utf8'));
    assert.deepEqual(student.provenance.trainData.map((d: { path: string }) => d.path.split('/').pop()), ['train.tsv', 'pseudo.tsv']);

    // TRAIN_WITH_DEV=1: train + dev together (both case-augmented), no dev set for early stopping, and the
    // temperature chosen on dev before is kept, not refitted on data the model trained on.
    const withDev = script({ ...env, OUT: join(root, 'model-with-dev'), TRAIN_WITH_DEV: '1' });
    assert.equal(withDev.status, 0, withDev.stderr);
    assert.match(withDev.stderr, /stage 3\/4: train \(2 epochs, at most 150 minutes, on train \+ dev\)/);
    assert.doesNotMatch(withDev.stderr, /calibrate the confidences/);
    const trained = JSON.parse(readFileSync(join(root, 'model-with-dev', 'config.json'), 'utf8'));
    assert.deepEqual(trained.provenance.trainData.map((d: { path: string }) => d.path.split('/').pop()), ['train-dev-augmented.tsv']);
    const trainAndDev = readFileSync(join(root, 'work', 'train-dev-augmented.tsv'), 'utf8').trim().split('\n\n');
    assert.deepEqual(trainAndDev.slice(0, 2 * TINY_DATA.length), [...conll.trim().split('\n\n'), ...conll.trim().split('\n\n')], 'train, then dev, then copies');
    assert.equal(trained.provenance.devData, undefined);
    assert.equal(trained.calibration.temperature, 2.55);
    assert.equal(typeof trained.metrics.test.strict.f1, 'number');

    // The shipped recipe continues a tagger (here the first run's), its BiLM frozen: no vocab, no pre-training.
    const continued = script({ ...env, SKIP_STAGES: '', INIT_MODEL: join(root, 'model'), OUT: join(root, 'model-continued') });
    assert.equal(continued.status, 0, continued.stderr);
    assert.match(continued.stderr, /continuing the tagger .*model/);
    assert.doesNotMatch(continued.stderr, /stage 1\/4: vocab|stage 2\/4: pretrain/);
    assert.equal(JSON.parse(readFileSync(join(root, 'model-continued', 'config.json'), 'utf8')).provenance.initModel, join(root, 'model'));

    // Retrained on train + dev with the dev run's choices: the first 8 epochs of a 12-epoch cosine, continuing it.
    const recipeEnv: Record<string, string> = { ...env };
    delete recipeEnv.TRAIN_EPOCHS;
    const retrained = script({ ...recipeEnv, SKIP_STAGES: 'eval', TRAIN_WITH_DEV: '1', INIT_MODEL: join(root, 'model'), OUT: join(root, 'model-retrained') });
    assert.equal(retrained.status, 0, retrained.stderr);
    assert.match(retrained.stderr, /stage 3\/4: train \(8 epochs, at most 150 minutes, on train \+ dev\)/);
    const retrainedConfig = JSON.parse(readFileSync(join(root, 'model-retrained', 'config.json'), 'utf8'));
    assert.equal(retrainedConfig.provenance.initModel, join(root, 'model'));
    assert.match(retrainedConfig.provenance.command, /--epochs 8 --schedule-epochs 12 /);
    assert.equal(retrainedConfig.calibration.temperature, 2.55);

    // The test split must never be pre-training text.
    writeFileSync(join(data, 'pubmed-text', 'bc5cdr-test.txt'), 'leaked\n');
    const refused = script({ ...env, SKIP_STAGES: '' });
    assert.notEqual(refused.status, 0);
    assert.match(refused.stderr, /refusing to pre-train on .*bc5cdr-test\.txt/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
