import { access } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { readModelFolderConfig, TERMS_FILE, termsFileOf } from '../model/folder';
import type { DocumentPass } from './passes';
import { passesFor } from './pipeline';
import type { TextTagger } from './tagger';
import { LexiconTagger } from './lexiconTagger';
import { TermLexicon } from './terms';
import { UserError } from '../errors';

const LEXICON_FORMAT_VERSION = 1;

/** Error with a message meant for the user (names the file and what is wrong); never shown with a stack. */
export class ModelLoadError extends UserError {}

/**
 * Loads the model directory `dir` as a TextTagger in this thread. `config.json` decides the kind:
 * "neural" (the BiLM + CRF tagger, the default) or "lexicon" (a dictionary).
 */
export async function loadTagger(dir: string): Promise<TextTagger> {
  const config = readModelFolderConfig(dir);
  const root = dirname(config.file);
  switch (config.kind) {
    case 'lexicon':
      // A lexicon written by a newer BioNER may mean something else: refuse it rather than guess.
      if (config.formatVersion !== undefined && config.formatVersion !== LEXICON_FORMAT_VERSION) {
        throw new ModelLoadError(
          `${config.file}: unsupported formatVersion ${JSON.stringify(config.formatVersion)} (this program reads version ${LEXICON_FORMAT_VERSION})`,
        );
      }
      return LexiconTagger.load(root, config.name);
    case 'neural': {
      // Loaded lazily so the lexicon path does not pull in tfjs.
      const { loadNeuralTagger } = await import('./neuralTagger');
      return loadNeuralTagger(root);
    }
    default:
      throw new ModelLoadError(`${config.file}: unknown model kind "${config.kind}" (expected "neural" or "lexicon")`);
  }
}

/** The model folder's terms.tsv, if it has one (a malformed line is a UserError naming file and line). */
export function loadTerms(dir: string): TermLexicon | undefined {
  const file = termsFileOf(dir);
  return file ? TermLexicon.load(file) : undefined;
}

/** The passes after the model of this folder (pipeline.ts): its terms, then the document passes. */
export function loadPasses(dir: string): readonly DocumentPass[] {
  return passesFor(loadTerms(dir));
}

/** loadPasses reading the folder off the calling thread (the language server, which must not wait on a slow disk). */
export async function loadPassesAsync(dir: string): Promise<readonly DocumentPass[]> {
  const file = join(resolve(dir), TERMS_FILE);
  const present = await access(file).then(() => true, () => false);
  return passesFor(present ? await TermLexicon.loadAsync(file) : undefined);
}
