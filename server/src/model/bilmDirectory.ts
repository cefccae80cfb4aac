// A pre-trained representation on disk: config.json (kind "bilm", the representation config, vocabulary sizes and
// provenance), words.txt + chars.txt, and weights.bin/json (BiLM and LM softmax weights).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors';
import { CONFIG_FILE, readModelFolderConfig } from './folder';
import { writeFileAtomicSync } from '../files/atomicWrite';
import { BiLM } from './bilm';
import { parseRepresentationConfig, type RepresentationConfig } from './config';
import { loadVocabs, type CharVocab, type WordVocab } from './vocab';
import { buildFromWeights } from './weightsIO';

export const BILM_KIND = 'bilm';

export interface BiLMDirectoryConfig {
  kind: typeof BILM_KIND;
  name?: string;
  representation: RepresentationConfig;
  vocab: { words: number; chars: number };
  provenance?: Record<string, unknown>;
}

export function writeBiLMConfig(dir: string, config: BiLMDirectoryConfig): void {
  mkdirSync(dir, { recursive: true });
  writeFileAtomicSync(join(dir, CONFIG_FILE), JSON.stringify(config, null, 2) + '\n');
}

export function readBiLMConfig(dir: string): BiLMDirectoryConfig {
  const { file, raw } = readModelFolderConfig(dir);
  const json = raw as unknown as BiLMDirectoryConfig;
  if (!json.representation) throw new UserError(`${file}: no "representation" config`);
  json.representation = parseRepresentationConfig(json.representation, `${file} "representation"`);
  return json;
}

/** Loads a pre-trained BiLM (weights checked by name and shape) with its vocabularies. */
export function loadBiLMDirectory(dir: string): { bilm: BiLM; config: BiLMDirectoryConfig; words: WordVocab; chars: CharVocab } {
  const config = readBiLMConfig(dir);
  const { words, chars } = loadVocabs(dir);
  const bilm = buildFromWeights(dir, () => new BiLM(config.representation, chars));
  return { bilm, config, words, chars };
}
