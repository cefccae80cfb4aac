// A model folder: the one place that knows its file names, where the shipped model lives, how a user's model path is
// resolved and how config.json is read. Loading weights is model/modelDir.ts (neural) and tagging/lexiconTagger.ts
// (lexicon); this module pulls in no tfjs, so the language server, the CLI and `bioner info` can use it cheaply.
//
//   config.json     kind ("neural" when absent, "lexicon", or "bilm" for a pre-trained representation), name,
//                   formatVersion, and the kind's own fields
//   chars.txt, words.txt, task-words.txt, weights.bin + weights.json   a neural model's vocabularies and tensors
//   lexicon.tsv     a lexicon model's entries
//   terms.tsv       optional: multi-word names entities are extended to (tagging/passes/terms.ts)
//   rehearsal.conll optional: labelled sentences of the model's own training data, rehearsed when it is fine-tuned
//   MODEL_CARD.md   data, licences, results
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { UserError } from '../errors';
import { readJsonFileSync } from '../formats/boundedRead';

export const CONFIG_FILE = 'config.json';
export const TERMS_FILE = 'terms.tsv';
export const REHEARSAL_FILE = 'rehearsal.conll';
export const WEIGHTS_MANIFEST_FILE = 'weights.json';

export type ModelKind = 'neural' | 'lexicon' | 'bilm';
const KINDS: readonly string[] = ['neural', 'lexicon', 'bilm'];

/** config.json as every kind has it; the kind's own fields stay in `raw` for its loader to validate. */
export interface ModelFolderConfig {
  /** The config file's absolute path (for error messages). */
  file: string;
  kind: ModelKind;
  /** config.json's "name", else the folder's name. */
  name: string;
  formatVersion?: unknown;
  raw: Record<string, unknown>;
}

/** Where the shipped model sits in an installation (the repository, the packaged extension). */
export const SHIPPED_MODEL_PATH = join('models', 'default');

/**
 * The installation's root: the folder above the running bundle (dist/cli.js, dist/server.js and dist/extension.js all
 * live in dist/); under tsx (tests, bench) this file is server/src/model/, three levels down.
 */
function installRoot(): string {
  const bundled = join(__dirname, '..');
  return existsSync(join(bundled, SHIPPED_MODEL_PATH)) ? bundled : join(__dirname, '..', '..', '..');
}

/** The shipped model's folder (`root`: the installation, e.g. the extension's path; default: this bundle's). */
export function shippedModelDir(root: string = installRoot()): string {
  return join(root, SHIPPED_MODEL_PATH);
}

/**
 * The folder a user's model setting or flag names: empty means the shipped model; `~` is the home folder; a relative
 * path is taken against `base` (the workspace folder, or the current directory).
 */
export function resolveModelPath(setting: string | undefined, base: string = process.cwd(), root?: string): string {
  const value = (setting ?? '').trim();
  if (!value) return shippedModelDir(root);
  const expanded = /^~(?=$|[\\/])/.test(value) ? join(homedir(), value.slice(1)) : value;
  return isAbsolute(expanded) ? resolve(expanded) : resolve(base, expanded);
}

/**
 * The inverse of resolveModelPath: the setting that names the folder `dir`, relative to `base` (with `/`) when the
 * folder is inside it, so a workspace that is moved or shared keeps its model; else the absolute path.
 */
export function modelPathSetting(dir: string, base: string | undefined): string {
  const absolute = resolve(dir);
  if (!base) return absolute;
  const inside = relative(resolve(base), absolute);
  if (inside === '') return '.'; // never "": that would mean the shipped model
  if (inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) return absolute;
  return inside.split(sep).join('/');
}

/**
 * Reads config.json of a model folder; a missing or unreadable file, an unknown kind or one not in `expected` is a
 * UserError naming the file.
 */
export function readModelFolderConfig(dir: string, expected?: readonly ModelKind[]): ModelFolderConfig {
  const root = resolve(dir);
  const file = join(root, CONFIG_FILE);
  if (!existsSync(file)) throw new UserError(`${file}: no model here (config.json is missing)`);
  const raw = readJsonFileSync(file);
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new UserError(`${file}: expected a JSON object`);
  const config = raw as Record<string, unknown>;
  const kind = config.kind ?? 'neural';
  if (typeof kind !== 'string' || !KINDS.includes(kind)) {
    throw new UserError(`${file}: unknown model kind ${JSON.stringify(kind)} (expected "neural" or "lexicon")`);
  }
  if (expected && !expected.includes(kind as ModelKind)) {
    throw new UserError(`${file}: "kind" is ${JSON.stringify(kind)}, not ${expected.map((k) => JSON.stringify(k)).join(' or ')}`);
  }
  return {
    file,
    kind: kind as ModelKind,
    name: typeof config.name === 'string' ? config.name : basename(root),
    formatVersion: config.formatVersion,
    raw: config,
  };
}

/** The model folder's terms.tsv, if it has one. */
export function termsFileOf(dir: string): string | undefined {
  const file = join(resolve(dir), TERMS_FILE);
  return existsSync(file) ? file : undefined;
}
