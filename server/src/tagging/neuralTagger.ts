// PLACEHOLDER (coordinator): filled in once server/src/model provides loadModel().
import type { TextTagger } from './tagger';
import { ModelLoadError } from './load';

export async function loadNeuralTagger(dir: string): Promise<TextTagger> {
  throw new ModelLoadError(`${dir}: neural models are not implemented yet`);
}
