// `bioner train`: fine-tunes a tagger (BiLM -> scalar mix -> task BiLSTM -> CRF) on labelled data, on a pre-trained
// BiLM (--bilm), continuing an existing tagger (--init-model), or on a randomly initialised BiLM (neither).
// The model directory is written beside --out and renamed into place whenever dev F1 improves.
import { existsSync, statSync } from 'node:fs';
import { basename, join, relative, resolve, sep } from 'node:path';
import { Option, type Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { nonNegativeNumber, positiveInt, positiveNumber, probability } from '../flags';
import { UserError } from '../../errors';
import { realPathOf } from '../../realPath';
import { readJsonFileSync } from '../../formats/boundedRead';
import { BACKEND_NAMES, initEngine, type BackendName } from '../../engine/backend';
import { BiLM } from '../../model/bilm';
import { NAMED_CONFIGS, parseRepresentationConfig } from '../../model/config';
import { applyLabelMap, parseLabelMap, TagSet } from '../../model/labels';
import { loadBiLMDirectory } from '../../model/bilmDirectory';
import { REHEARSAL_FILE, TERMS_FILE } from '../../model/folder';
import { loadModelDir, saveModelDir } from '../../model/modelDir';
import { TermLexicon } from '../../tagging/terms';
import { evaluateModel, type ModelEvaluation } from '../../model/evaluateModel';
import { buildTaskWords, checkTaggerConfig, TaggerModel, taggerConfig, withEntityTypes, withTaskWords, type TaggerConfig } from '../../model/tagger';
import { CharVocab, VocabCounter } from '../../model/vocab';
import { DEFAULT_FINETUNE, finetune, rehearsedPerEpoch, type FinetuneOptions, type TrainEvent } from '../../train/finetune';
import { DATA_FORMATS, readLabelledData, type DataFormat } from '../../train/trainingData';
import { DEFAULT_SELF_LABELS, fillUnknownTags, wordsOfAnnotations } from '../../train/selfLabels';
import { heldOutEntityCount, heldOutReport, MIN_HELD_OUT_ENTITIES, type HeldOutReport } from '../../train/heldOutReport';
import { UNKNOWN_TAG } from '../../formats/tagSchemes';
import { formatWarning } from '../../formats/warnings';
import { plural } from '../../bulk/summary';
import type { TaggedSentence } from '../../types';
import { ProgressBar, progressMode, type ProgressMode } from '../../progress';

interface TrainFlags {
  train: string[];
  dev?: string;
  format?: DataFormat;
  bilm?: string;
  initModel?: string;
  terms?: string | false;
  representation: string;
  out: string;
  name?: string;
  labelMap?: string;
  freezeBilm: boolean;
  epochs?: number;
  lr?: number;
  batchTokens?: number;
  maxMinutes?: number;
  patience?: number;
  lrSchedule?: FinetuneOptions['lrSchedule'];
  scheduleEpochs?: number;
  seed?: number;
  config?: string;
  backend?: BackendName;
  progressJson?: boolean;
  selfLabels: number | 'soft' | false;
  anchor?: number;
  rehearse: boolean;
  rehearseRatio?: number;
  newWords: boolean;
}

/** The --config JSON: tagger architecture and training options, each partial. */
interface TrainConfigFile {
  tagger?: Parameters<typeof taggerConfig>[0];
  training?: Partial<FinetuneOptions>;
}

export function register(program: Command): void {
  program
    .command('train')
    .description('Fine-tune a tagger (BiLM + BiLSTM-CRF) on labelled data; keeps the model with the best dev F1.')
    .requiredOption('--train <paths...>', 'training data: files or folders (CoNLL, BRAT .txt/.ann, JSONL), read together')
    .option('--dev <path>', `dev data for model selection and learning-rate decay (same formats); without it the rate follows a cosine over --epochs and the last epoch is kept, as with --init-model and a dev part of fewer than ${MIN_HELD_OUT_ENTITIES} entities (then only scored before and after)`)
    .addOption(new Option('--format <format>', 'read every file in this format (default: by extension)').choices([...DATA_FORMATS]))
    .option('--bilm <dir>', 'pre-trained BiLM folder (from `bioner pretrain`)')
    .option('--init-model <dir>', 'continue fine-tuning this tagger model (its labels, vocabularies and weights)')
    .option('--terms <file>', 'multi-word names (term<TAB>LABEL) the model extends entities to, saved with it as terms.tsv (default: the --init-model\'s)')
    .option('--no-terms', 'save no terms.tsv, even if the --init-model has one')
    .option(
      '--representation <config>',
      `without --bilm/--init-model: representation config of a randomly initialised BiLM (${Object.keys(NAMED_CONFIGS).join(', ')} or a JSON file)`,
      'small',
    )
    .requiredOption('-o, --out <dir>', 'output model folder (replaced atomically; never the --init-model folder)')
    .option('--name <name>', 'model name recorded in config.json (default: the folder name)')
    .option('--label-map <map>', 'rename entity types, e.g. Chemical=DRUG,Disease=DISEASE (TYPE=O drops a type)')
    .option('--freeze-bilm', 'keep the BiLM weights fixed; its layers are computed once', true)
    .option('--no-freeze-bilm', 'fine-tune the BiLM too, at lr x bilmLrFactor')
    .option('--epochs <n>', `maximum epochs (default ${DEFAULT_FINETUNE.epochs})`, positiveInt)
    .option('--lr <rate>', `Adam learning rate (default ${DEFAULT_FINETUNE.lr})`, positiveNumber)
    .option('--batch-tokens <n>', `padded tokens per batch (default ${DEFAULT_FINETUNE.batchTokens})`, positiveInt)
    .option('--max-minutes <m>', 'stop after this many minutes, keeping the best model so far', positiveNumber)
    .addOption(
      new Option('--lr-schedule <schedule>', 'plateau: halve the rate when dev F1 stalls; cosine: lr to minLr over --epochs (always without --dev)')
        .choices(['plateau', 'cosine']),
    )
    .option('--schedule-epochs <n>', 'length of the cosine in epochs (default --epochs); more than --epochs stops part-way down it, e.g. to retrain on train + dev up to the epoch a dev run picked', positiveInt)
    .option('--patience <n>', `epochs without dev improvement before halving the learning rate (default ${DEFAULT_FINETUNE.patience})`, positiveInt)
    .option('--seed <n>', 'seed of the batch order and the task layers\' dropout (with the BiLM frozen, the default, the same seed repeats a run exactly)', positiveInt)
    .option('--config <json>', 'JSON file or inline JSON: {"tagger": {"encoder": {"hiddenSize": 128, ...}, ...}, "training": {...}}')
    .addOption(new Option('--backend <name>', 'tfjs backend (default: node if installed, else wasm)').choices(BACKEND_NAMES as string[]))
    .option(
      '--self-labels <how>',
      'with --init-model and partial annotations, what the text nobody reviewed is trained toward, so the model keeps what it knew: ' +
        "'soft' (the initial model's own distribution over its tags, given what was annotated) or a confidence (its own entities at least this confident, as labels)",
      selfLabelsFlag,
      'soft',
    )
    .option('--no-self-labels', 'leave unreviewed text of partial annotations unknown (it teaches nothing)')
    .option('--no-rehearse', `with --init-model: do not add the sentences of its ${REHEARSAL_FILE} (a sample of its own training data) to the training data`)
    .option(
      '--rehearse-ratio <n>',
      `rehearsal sentences trained per epoch for each training sentence of yours, taken in turn from ${REHEARSAL_FILE} (default ${DEFAULT_FINETUNE.rehearsalRatio}; a large value: all of them every epoch)`,
      nonNegativeNumber,
    )
    .option('--no-new-words', 'with --init-model: annotated words its task vocabulary lacks share the unknown word\'s embedding, instead of each getting its own')
    .option('--anchor <strength>', `pull the task layers toward their starting weights: adds strength / 2 x their squared distance to the loss (default ${DEFAULT_FINETUNE.anchor})`, nonNegativeNumber)
    .option('--progress-json', 'print progress as JSON lines on stdout ({"event":"epoch",...})')
    .action(async (flags: TrainFlags) => {
      await trainCommand(flags);
    });
}

async function trainCommand(flags: TrainFlags): Promise<void> {
  if (flags.bilm && flags.initModel) throw new UserError('--bilm and --init-model: give one of them, not both');
  const out = resolve(flags.out);
  for (const [flag, dir] of [['--init-model', flags.initModel], ['--bilm', flags.bilm]] as const) {
    if (dir && isInside(realPathOf(out), realPathOf(dir))) {
      throw new UserError(`--out ${flags.out}: is (inside) the ${flag} folder ${dir}; write the new model to another folder`);
    }
  }
  const fileConfig = readConfigFlag(flags.config);
  const options: FinetuneOptions = {
    ...DEFAULT_FINETUNE,
    ...fileConfig.training,
    freezeBilm: flags.freezeBilm,
    ...defined({ epochs: flags.epochs, lr: flags.lr, batchTokens: flags.batchTokens, maxMinutes: flags.maxMinutes, patience: flags.patience, seed: flags.seed, lrSchedule: flags.lrSchedule, scheduleEpochs: flags.scheduleEpochs, anchor: flags.anchor, rehearsalRatio: flags.rehearseRatio }),
  };
  const log = (line: string) => process.stderr.write(`bioner train: ${line}\n`);
  const engine = await initEngine({ backend: flags.backend });

  const labelMap = parseLabelMap(flags.labelMap);
  const readData = (path: string) => {
    const data = readLabelledData(path, flags.format);
    for (const w of data.warnings.slice(0, 10)) log(`warning: ${formatWarning(w)}`);
    if (data.warnings.length > 10) log(`(${data.warnings.length - 10} more warnings)`);
    return applyLabelMap(data.sentences, labelMap);
  };
  let train = flags.train.flatMap(readData);
  const dev = flags.dev ? readData(flags.dev) : [];
  const partialSentences = train.filter((s) => s.tags.includes(UNKNOWN_TAG)).length;
  if (partialSentences) log(`${partialSentences} training sentences are partially annotated: their unreviewed tokens are unknown, not "no entity"`);
  // Before self-labels fill in the model's own entities: the words of what the user annotated.
  const annotatedWords = wordsOfAnnotations(train);

  const rehearsal = flags.initModel && flags.rehearse ? join(resolve(flags.initModel), REHEARSAL_FILE) : undefined;
  if (rehearsal && existsSync(rehearsal)) {
    // Rehearsed as known (complete) sentences; the soft self-labels below apply to the user's partial ones only.
    // In the model's own labels: neither --format nor --label-map apply.
    const sentences = readLabelledData(rehearsal, 'conll').sentences.map((sentence) => ({ ...sentence, rehearsal: true }));
    const perEpoch = rehearsedPerEpoch(train.length, sentences.length, options.rehearsalRatio);
    log(
      `rehearsal: ${sentences.length} sentences of the initial model's own training data (${REHEARSAL_FILE}), saved with the model; ` +
        `${perEpoch} per epoch beside your ${train.length} (--rehearse-ratio ${options.rehearsalRatio})`,
    );
    train = [...train, ...sentences];
  }
  const terms = termsFile(flags);
  if (terms) log(`terms: ${terms.size} multi-word names from ${terms.file}, saved with the model`);
  const built = buildModel(flags, train, fileConfig.tagger);
  const { provenance } = built;
  let model = built.model;
  // Before new types are added: the labels come from the model as the user had it.
  const selfLabels = flags.initModel && partialSentences ? flags.selfLabels : false;
  if (selfLabels === 'soft') {
    options.selfTargets = { teacherTypes: model.tagSet.types };
    log("self-labels: unreviewed tokens are trained toward the initial model's own tag distribution (soft)");
  } else if (selfLabels !== false) {
    const selfLabelled = fillUnknownTags(model, train, { ...DEFAULT_SELF_LABELS, minConfidence: selfLabels });
    train = selfLabelled.sentences;
    const { filled, leftUnknown } = selfLabelled.stats;
    log(`self-labels: ${filled} unreviewed tokens labelled with the initial model's own predictions (>= ${flags.selfLabels}), ${leftUnknown} left unknown`);
  }
  const emitJson = (event: object) => flags.progressJson && process.stdout.write(JSON.stringify(event) + '\n');
  // The initial model is scored before new types are added: as the user had it, on the labels it can produce.
  const initialLabels = model.tagSet.types;
  let initialDev: ModelEvaluation | undefined;
  // Continuing a model on a held-out part too small to measure (a few sentences of the user's own annotations): its
  // F1 moves by whole entities, so it neither picks the epoch (ties would keep epoch 1, barely trained) nor decays
  // the rate; training runs as without --dev, and the held-out part only gives the before/after report.
  const devEntities = heldOutEntityCount(dev);
  const reportOnly = flags.initModel !== undefined && dev.length > 0 && devEntities < MIN_HELD_OUT_ENTITIES;
  if (flags.initModel && dev.length) {
    initialDev = evaluateModel(model, dev);
    if (reportOnly) {
      log(
        `dev part: ${devEntities} ${devEntities === 1 ? 'entity' : 'entities'}, too few to measure F1 or pick an epoch by (fewer than ${MIN_HELD_OUT_ENTITIES}): ` +
          'the learning rate follows a cosine over --epochs and the last epoch is kept',
      );
    } else {
      log(`dev F1 of the initial model: ${(100 * initialDev.overall.f1).toFixed(2)}`);
      emitJson({ event: 'initial', devF1: initialDev.overall.f1 });
    }
  }
  const selectionDev = reportOnly ? [] : dev;
  const unknown = TagSet.fromSentences([...train, ...dev]).types.filter((t) => !model.tagSet.types.includes(t));
  if (unknown.length) {
    // Only a continued model can lack types of the data: it learns them as new tags.
    log(`new entity types ${unknown.join(', ')} beside the model's ${model.tagSet.types.join(', ')} (use --label-map to rename instead)`);
    model = withEntityTypes(model, unknown);
  }
  if (flags.initModel && flags.newWords) {
    // A name the user teaches gets an embedding of its own (starting as the unknown word's), so the lesson is about
    // that word wherever it occurs, not about every word the model has not seen.
    const before = model.words.length;
    model = withTaskWords(model, annotatedWords);
    const added = model.words.slice(before);
    const shown = `${added.slice(0, 8).join(', ')}${added.length > 8 ? ', ...' : ''}`;
    if (added.length) log(`new words: ${plural(added.length, 'annotated word')} not in the model's task vocabulary, each given an embedding of its own (${shown})`);
  }
  const tokens = train.reduce((n, s) => n + s.tokens.length, 0);
  log(
    `${train.length} training sentences (${tokens} tokens), ${dev.length} dev sentences, types ${model.tagSet.types.join(', ')}, ` +
      `backend ${engine.backend}, BiLM ${options.freezeBilm ? 'frozen' : 'fine-tuned'}`,
  );

  const meta = (metrics: Record<string, unknown>) => ({
    name: flags.name ?? basename(out),
    provenance: {
      ...provenance,
      command: ['bioner', ...process.argv.slice(2)].join(' '),
      trainData: flags.train.map(describePath),
      devData: flags.dev ? describePath(flags.dev) : undefined,
      labelMap: flags.labelMap,
      training: { ...options, trainSentences: train.length, trainTokens: tokens, devSentences: dev.length, backend: engine.backend },
      savedAt: new Date().toISOString(),
    },
    metrics,
    terms: terms?.file,
    rehearsal: rehearsal && existsSync(rehearsal) ? rehearsal : undefined,
  });
  const renderer = makeRenderer(progressMode(flags.progressJson), log);
  let done: Extract<TrainEvent, { event: 'done' }> | undefined;
  let saved = false;
  const controller = new AbortController();
  const onSigint = (): void => {
    if (controller.signal.aborted) process.exit(130);
    log('stopping after this batch; the best model so far is kept (Ctrl-C again to quit at once)');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  try {
    const result = await finetune(model, train, selectionDev, options, {
      signal: controller.signal,
      onEvent: (e) => {
        if (e.event === 'done') done = e;
        else renderer(e);
      },
      onBest: async (epoch, devEval) => {
        await saveModelDir(out, model, meta({ dev: scoresOf(devEval), bestEpoch: epoch, initialDevF1: initialDev?.overall.f1 }));
        saved = true;
      },
    });
    const finalDev = reportOnly && result.epochs > 0 ? evaluateModel(model, dev) : result.bestDev;
    const heldOut = initialDev && finalDev ? heldOutReport(dev, initialDev.predictions, finalDev.predictions, initialLabels) : undefined;
    if (!selectionDev.length && result.epochs > 0) {
      await saveModelDir(out, model, meta({ epochs: result.epochs, ...(heldOut && { heldOut }) }));
      saved = true;
    }
    if (heldOut) log(describeHeldOut(heldOut));
    const finalEvent = { ...done!, devF1: result.bestDev?.overall.f1, initialDevF1: initialDev?.overall.f1, heldOut, model: saved ? out : undefined };
    renderer(finalEvent as TrainEvent);
    log(
      `${result.epochs} epochs (${done!.stoppedBy}), ` +
        (result.bestDev
          ? `best dev F1 ${(100 * result.bestDev.overall.f1).toFixed(2)} at epoch ${result.bestEpoch}`
          : `${reportOnly ? 'dev part too small to pick by' : 'no dev set'}: the model of epoch ${result.bestEpoch}`) +
        (saved ? ` -> ${out}` : '; no model written'),
    );
  } finally {
    process.off('SIGINT', onSigint);
    model.dispose();
  }
}

function selfLabelsFlag(value: string): number | 'soft' {
  if (value === 'soft') return value;
  try {
    return probability(value);
  } catch {
    throw new InvalidArgumentError("expected 'soft' or a confidence between 0 and 1");
  }
}

/** One line on the held-out part: F1 on the shared labels (or why there is none) and the names found anew. */
function describeHeldOut(r: HeldOutReport): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const scores = r.measurable
    ? `F1 on ${r.sharedLabels.join(', ')}: ${pct(r.f1Before!)} before, ${pct(r.f1After!)} after`
    : `too few to measure F1 (fewer than ${MIN_HELD_OUT_ENTITIES}${r.sharedLabels.length ? '' : ', or no label both models know'})`;
  return `held-out part: ${r.heldOutEntities} ${r.heldOutEntities === 1 ? 'entity' : 'entities'}; ${scores}; ${r.foundAfter} of the ${r.missedBefore} the initial model missed are found now`;
}

/**
 * The terms.tsv to save with the model: --terms, else the --init-model's (a model fine-tuned from the shipped one keeps
 * its WordNet names), none with --no-terms. Read once here, so a malformed file fails before training, naming its line.
 */
function termsFile(flags: TrainFlags): { file: string; size: number } | undefined {
  if (flags.terms === false) return undefined;
  const file = typeof flags.terms === 'string' ? resolve(flags.terms) : flags.initModel ? join(resolve(flags.initModel), TERMS_FILE) : undefined;
  if (!file || (typeof flags.terms !== 'string' && !existsSync(file))) return undefined;
  return { file, size: TermLexicon.load(file).size };
}

/** The model to train: continued from --init-model, on a pre-trained --bilm, or on a random BiLM. */
function buildModel(
  flags: TrainFlags,
  train: TaggedSentence[],
  taggerOverrides: TrainConfigFile['tagger'],
): { model: TaggerModel; provenance: Record<string, unknown> } {
  if (flags.initModel) {
    const loaded = loadModelDir(flags.initModel);
    return { model: loaded.model, provenance: { initModel: loaded.dir, initModelProvenance: loaded.config.provenance } };
  }
  const tagSet = TagSet.fromSentences(train);
  if (tagSet.types.length === 0) throw new UserError(`${flags.train.join(', ')}: the training data has no entities`);
  const config: TaggerConfig = taggerConfig(taggerOverrides);
  const words = config.encoder.wordEmbeddingDim > 0 ? buildTaskWords(train.map((s) => s.tokens), config.wordVocab.maxWords, config.wordVocab.minCount) : [];
  const build = (bilm: BiLM, provenance: Record<string, unknown>) => {
    checkTaggerConfig(config, bilm.outputDim, words.length, (msg) => {
      bilm.dispose();
      throw new UserError(`--config (tagger): ${msg}`);
    });
    return { model: new TaggerModel(bilm, tagSet, config, words), provenance };
  };
  if (flags.bilm) {
    const { bilm, config: bilmConfig } = loadBiLMDirectory(flags.bilm);
    return build(bilm, { bilm: resolve(flags.bilm), bilmProvenance: bilmConfig.provenance });
  }
  const representation = loadRepresentation(flags.representation);
  const counter = new VocabCounter();
  for (const s of train) counter.add(s.tokens);
  process.stderr.write('bioner train: warning: no --bilm: the BiLM is randomly initialised (no pre-training)\n');
  return build(new BiLM(representation, CharVocab.build(counter.chars, 1)), { bilm: `random (${flags.representation})` });
}

function loadRepresentation(spec: string) {
  if (NAMED_CONFIGS[spec]) return parseRepresentationConfig(spec, spec);
  return parseRepresentationConfig(readJsonFile(spec), spec);
}

function readConfigFlag(spec: string | undefined): TrainConfigFile {
  if (!spec) return {};
  const json = spec.trim().startsWith('{') ? parseJson(spec, '--config') : readJsonFile(spec);
  if (!json || typeof json !== 'object') throw new UserError(`--config ${spec}: expected a JSON object`);
  const known = new Set(['tagger', 'training']);
  const extra = Object.keys(json).filter((k) => !known.has(k));
  if (extra.length) throw new UserError(`--config ${spec}: unknown key(s) ${extra.join(', ')} (expected "tagger" and/or "training")`);
  return json as TrainConfigFile;
}

function readJsonFile(file: string): unknown {
  if (!existsSync(file)) throw new UserError(`${file}: no such file`);
  return readJsonFileSync(file);
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UserError(`${source}: not valid JSON (${(e as Error).message})`);
  }
}

function scoresOf(e: ModelEvaluation): Record<string, unknown> {
  const round = (x: number) => Math.round(x * 10000) / 10000;
  const pick = (s: { precision: number; recall: number; f1: number; gold: number; predicted: number }) => ({
    precision: round(s.precision),
    recall: round(s.recall),
    f1: round(s.f1),
    gold: s.gold,
    predicted: s.predicted,
  });
  return { overall: pick(e.overall), perType: Object.fromEntries(Object.entries(e.perType).map(([k, v]) => [k, pick(v)])) };
}

function describePath(path: string): { path: string; bytes?: number } {
  const full = resolve(path);
  const stat = statSync(full);
  return stat.isFile() ? { path: full, bytes: stat.size } : { path: full };
}

function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && !/^[a-zA-Z]:/.test(rel));
}

function defined<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Renders training events: JSON lines on stdout, a progress bar on a terminal, or a plain line per epoch. */
function makeRenderer(mode: ProgressMode, log: (line: string) => void): (e: TrainEvent) => void {
  const bar = new ProgressBar(process.stderr);
  return (e) => {
    if (mode === 'json') {
      process.stdout.write(JSON.stringify(e) + '\n');
      return;
    }
    if (e.event === 'features') {
      // The frozen BiLM's layers, computed once before the first epoch.
      if (mode === 'lines') {
        if (e.done === e.total) log(`BiLM layers of the ${e.split} sentences computed (${e.total})`);
        return;
      }
      bar.update('BiLM layers ({split}) [{bar}] {percentage}% | ETA {eta_formatted}', e.done, e.total, { split: e.split });
      if (e.done === e.total) bar.stop();
      return;
    }
    if (e.event === 'progress' && mode === 'bar') {
      const payload = { epoch: e.epoch, loss: e.loss.toFixed(3), tps: Math.round(e.tokensPerSecond) };
      bar.update('epoch {epoch} [{bar}] {percentage}% | loss {loss} | {tps} tok/s | ETA {eta_formatted}', e.done, e.total, payload);
      return;
    }
    if (e.event === 'epoch') {
      bar.stop();
      log(
        `epoch ${e.epoch}: loss ${e.loss.toFixed(3)}` +
          (e.devF1 === undefined ? '' : `, dev P/R/F1 ${pct(e.devPrecision!)}/${pct(e.devRecall!)}/${pct(e.devF1)}`) +
          `${e.best ? ' (best, saved)' : ''}, lr ${e.lr.toExponential(1)}, ${e.seconds.toFixed(0)} s`,
      );
    }
    if (e.event === 'done') bar.stop();
  };
}

function pct(x: number): string {
  return (100 * x).toFixed(2);
}
