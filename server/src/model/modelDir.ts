// A neural tagger model directory:
//   config.json   kind "neural", name, formatVersion, architecture (representation + tagger configs), labels,
//                 vocab sizes, provenance (data, commands) and metrics
//   chars.txt     the BiLM's char vocabulary (words.txt holds only the reserved words: the LM softmax is not shipped)
//   task-words.txt the task word embedding's vocabulary (when the tagger config has one)
//   weights.bin + weights.json  every tensor by name
// Loading reads data only, never code, and refuses unknown versions, shape mismatches and bad files with a UserError
// that names the file. Saving writes a complete directory beside the target and renames it into place.
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UserError } from '../errors';
import { CONFIG_FILE, readModelFolderConfig, REHEARSAL_FILE, TERMS_FILE } from './folder';
import { processIsRunning, writeFileAtomicSync } from '../files/atomicWrite';
import { MAX_MODEL_FILE_BYTES, readFileBoundedSync } from '../formats/boundedRead';
import { BiLM } from './bilm';
import { checkSizes, parseRepresentationConfig, SIZE_LIMITS, type RepresentationConfig } from './config';
import { TagSet } from './labels';
import { checkTaggerConfig, TaggerModel, taggerConfig, type TaggerConfig } from './tagger';
import { CHARS_FILE, loadCharVocab, saveVocabs, WordVocab, BOS_WORD, EOS_WORD, UNK_WORD } from './vocab';
import { buildFromWeights, saveWeights } from './weightsIO';

export const MODEL_FORMAT_VERSION = 1;
export const TASK_WORDS_FILE = 'task-words.txt';

export interface NeuralModelConfig {
  kind: 'neural';
  name: string;
  formatVersion: number;
  architecture: { representation: RepresentationConfig; tagger: TaggerConfig };
  labels: { types: string[]; tags: string[] };
  vocab: { chars: number; taskWords: number };
  provenance: Record<string, unknown>;
  metrics?: Record<string, unknown>;
  /** Written by `bioner calibrate`: the CRF temperature of confidences (decode.ts), and how it was fitted. */
  calibration?: ModelCalibration;
}

export interface ModelCalibration {
  temperature: number;
  [detail: string]: unknown;
}

export interface LoadedModel {
  model: TaggerModel;
  config: NeuralModelConfig;
  dir: string;
}

/** Saves `model` as the directory `dir`, replacing an earlier model there only once the new one is complete. */
export async function saveModelDir(
  dir: string,
  model: TaggerModel,
  meta: { name: string; provenance?: Record<string, unknown>; metrics?: Record<string, unknown>; terms?: string; rehearsal?: string },
): Promise<void> {
  const target = resolve(dir);
  recoverInterruptedSaves(target);
  if (existsSync(target) && readdirSync(target).length > 0 && !existsSync(join(target, CONFIG_FILE))) {
    throw new UserError(`${target}: exists and is not a model directory; refusing to replace it`);
  }
  const bilm = model.bilm as BiLM;
  const config: NeuralModelConfig = {
    kind: 'neural',
    name: meta.name,
    formatVersion: MODEL_FORMAT_VERSION,
    architecture: { representation: bilm.config, tagger: model.config },
    labels: { types: model.tagSet.types, tags: model.tagSet.tags },
    vocab: { chars: bilm.charVocab.size, taskWords: model.words.length },
    provenance: meta.provenance ?? {},
    ...(meta.metrics ? { metrics: meta.metrics } : {}),
  };
  mkdirSync(dirname(target), { recursive: true });
  const tmp = join(dirname(target), `.${basename(target)}.tmp-${process.pid}-${Date.now()}`);
  mkdirSync(tmp);
  try {
    saveVocabs(tmp, new WordVocab([UNK_WORD, BOS_WORD, EOS_WORD]), bilm.charVocab);
    if (model.words.length) writeFileAtomicSync(join(tmp, TASK_WORDS_FILE), model.words.join('\n') + '\n');
    // The term list the tagger extends entities with (tagging/terms.ts), copied as it is.
    if (meta.terms) copyFileSync(meta.terms, join(tmp, TERMS_FILE));
    // So that the fine-tuned model can be fine-tuned again without forgetting (cli/commands/train.ts).
    if (meta.rehearsal) copyFileSync(meta.rehearsal, join(tmp, REHEARSAL_FILE));
    await saveWeights(tmp, model.getWeights());
    writeFileAtomicSync(join(tmp, CONFIG_FILE), JSON.stringify(config, null, 2) + '\n');
    replaceDirectory(tmp, target);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

/**
 * Cleans up after a save that was killed outright (kill -9, power loss) by a process that is gone: its temp folder
 * `.<name>.tmp-<pid>-<time>` is removed, and so is the previous model it had moved aside (`.<name>.old-<pid>-<time>`),
 * unless the target is missing, i.e. the kill fell between the two renames: then the previous model is put back.
 */
function recoverInterruptedSaves(target: string): void {
  const parent = dirname(target);
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return;
  }
  const prefix = `.${basename(target)}.`;
  for (const name of names.sort().reverse()) {
    const match = name.startsWith(prefix) ? /^(tmp|old)-(\d+)-\d+$/.exec(name.slice(prefix.length)) : null;
    if (!match || processIsRunning(Number(match[2]))) continue;
    const path = join(parent, name);
    if (match[1] === 'old' && !existsSync(target)) renameSync(path, target);
    else rmSync(path, { recursive: true, force: true });
  }
}

/** Moves the complete directory `from` to `to`; an existing `to` is moved aside first and removed last. */
function replaceDirectory(from: string, to: string): void {
  if (!existsSync(to)) {
    renameSync(from, to);
    return;
  }
  const old = join(dirname(to), `.${basename(to)}.old-${process.pid}-${Date.now()}`);
  renameSync(to, old);
  try {
    renameSync(from, to);
  } catch (e) {
    renameSync(old, to);
    throw e;
  }
  rmSync(old, { recursive: true, force: true });
}

/** Reads and validates config.json of a neural model directory. */
export function readModelConfig(dir: string): NeuralModelConfig {
  const { file, raw: json, name } = readModelFolderConfig(dir, ['neural']);
  const raw = json as Partial<NeuralModelConfig>;
  const fail = (msg: string): never => {
    throw new UserError(`${file}: ${msg}`);
  };
  if (raw.formatVersion !== MODEL_FORMAT_VERSION) {
    fail(`unsupported formatVersion ${JSON.stringify(raw.formatVersion)} (this program reads version ${MODEL_FORMAT_VERSION})`);
  }
  const arch = raw.architecture;
  if (!arch || typeof arch !== 'object' || !arch.representation || !arch.tagger) fail('"architecture" needs "representation" and "tagger"');
  const types = raw.labels?.types;
  if (!Array.isArray(types) || !types.every((t) => typeof t === 'string' && /^\S+$/.test(t))) fail('"labels.types" must be a list of type names');
  const tagSet = new TagSet(types!);
  if (raw.labels?.tags && raw.labels.tags.join(' ') !== tagSet.tags.join(' ')) fail('"labels.tags" does not match "labels.types"');
  const representation = parseRepresentationConfig(arch!.representation, `${file} (architecture.representation)`);
  const tagger = taggerConfig(arch!.tagger);
  // Models saved before the task char-CNN existed have none.
  if (arch!.tagger?.encoder && !arch!.tagger.encoder.chars) tagger.encoder.chars = { ...tagger.encoder.chars, filters: [] };
  const taskWords = Number(raw.vocab?.taskWords ?? 0);
  checkSizes([['vocab.chars', Number(raw.vocab?.chars), SIZE_LIMITS.vocabulary], ['vocab.taskWords', taskWords, SIZE_LIMITS.vocabulary]], fail);
  checkTaggerConfig(tagger, 2 * representation.projectionDim, taskWords, (msg) => {
    throw new UserError(`${file} (architecture.tagger): ${msg}`);
  });
  return {
    kind: 'neural',
    name,
    formatVersion: MODEL_FORMAT_VERSION,
    architecture: { representation, tagger },
    labels: { types: types!, tags: tagSet.tags },
    vocab: { chars: Number(raw.vocab?.chars), taskWords },
    provenance: raw.provenance ?? {},
    ...(raw.metrics ? { metrics: raw.metrics } : {}),
    ...(raw.calibration !== undefined ? { calibration: parseCalibration(raw.calibration, fail) } : {}),
  };
}

function parseCalibration(raw: unknown, fail: (msg: string) => never): ModelCalibration {
  const temperature = (raw as ModelCalibration | null)?.temperature;
  if (typeof temperature !== 'number' || !(temperature > 0) || !Number.isFinite(temperature)) {
    return fail(`"calibration.temperature" must be a positive number, not ${JSON.stringify(temperature)}`);
  }
  return raw as ModelCalibration;
}

/** Loads a neural tagger model directory (config, vocabularies, weights), checking every shape. */
export function loadModelDir(dir: string): LoadedModel {
  const root = resolve(dir);
  const config = readModelConfig(root);
  const chars = loadCharVocab(join(root, CHARS_FILE));
  if (Number.isFinite(config.vocab.chars) && chars.size !== config.vocab.chars) {
    throw new UserError(`${join(root, CHARS_FILE)}: has ${chars.size} entries but config.json says ${config.vocab.chars}`);
  }
  const words = config.vocab.taskWords > 0 ? readTaskWords(join(root, TASK_WORDS_FILE), config.vocab.taskWords) : [];
  const model = buildFromWeights(
    root,
    () => new TaggerModel(new BiLM(config.architecture.representation, chars), new TagSet(config.labels.types), config.architecture.tagger, words),
  );
  model.temperature = config.calibration?.temperature ?? 1;
  return { model, config, dir: root };
}

function readTaskWords(file: string, expected: number): string[] {
  if (!existsSync(file)) throw new UserError(`${file}: missing (config.json lists ${expected} task words)`);
  const lines = readFileBoundedSync(file, MAX_MODEL_FILE_BYTES).toString('utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines.length !== expected) throw new UserError(`${file}: has ${lines.length} words but config.json says ${expected}`);
  return lines;
}
