import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { TextTagger } from './tagger';
import { LexiconTagger } from './lexiconTagger';
import { UserError } from '../errors';
import { readJsonFileSync } from '../formats/boundedRead';

const LEXICON_FORMAT_VERSION = 1;

/** Error with a message meant for the user (names the file and what is wrong); never shown with a stack. */
export class ModelLoadError extends UserError {}

/**
 * Loads the model directory `dir` as a TextTagger in this thread. `config.json` decides the kind:
 * "neural" (the BiLM + CRF tagger, the default) or "lexicon" (a dictionary).
 */
export async function loadTagger(dir: string): Promise<TextTagger> {
  const root = resolve(dir);
  const configPath = join(root, 'config.json');
  if (!existsSync(configPath)) throw new ModelLoadError(`${configPath}: no model here (config.json is missing)`);
  let config: { kind?: string; name?: string; formatVersion?: unknown };
  try {
    config = readJsonFileSync(configPath) as typeof config;
  } catch (e) {
    throw new ModelLoadError((e as Error).message);
  }
  const name = config.name ?? basename(root);
  switch (config.kind ?? 'neural') {
    case 'lexicon':
      // A lexicon written by a newer BioNER may mean something else: refuse it rather than guess.
      if (config.formatVersion !== undefined && config.formatVersion !== LEXICON_FORMAT_VERSION) {
        throw new ModelLoadError(
          `${configPath}: unsupported formatVersion ${JSON.stringify(config.formatVersion)} (this program reads version ${LEXICON_FORMAT_VERSION})`,
        );
      }
      return LexiconTagger.load(root, name);
    case 'neural': {
      // Loaded lazily so the lexicon path does not pull in tfjs.
      const { loadNeuralTagger } = await import('./neuralTagger');
      return loadNeuralTagger(root);
    }
    default:
      throw new ModelLoadError(`${configPath}: unknown model kind "${config.kind}" (expected "neural" or "lexicon")`);
  }
}
