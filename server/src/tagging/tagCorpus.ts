// `bioner eval --model`: tags a gold corpus with a model folder, the way the product tags text (documents through the
// pipeline, pipeline.ts), or a token corpus on its own tokens (the model alone, model/evaluateModel.ts).
import { initEngine } from '../engine/backend';
import { corpusDocuments, type Corpus, type CorpusDocument } from '../formats/corpus';
import { evaluateModel } from '../model/evaluateModel';
import { applyLabelMap } from '../model/labels';
import { readModelFolderConfig } from '../model/folder';
import { loadModelDir } from '../model/modelDir';
import { loadPasses, loadTagger } from './load';
import { tagDocument } from './pipeline';

/**
 * Tags the gold corpus with the model in `modelDir` for `bioner eval --model`: a token corpus (CoNLL) is tagged
 * on its own tokens by a neural model, documents are tagged from their text (any model kind). The label map renames
 * the gold corpus's types to the model's (e.g. Chemical=DRUG). Returns both corpora, ready for reportEvaluation.
 */
export async function tagCorpusWithModel(
  modelDir: string,
  gold: Corpus,
  labelMap: Map<string, string> = new Map(),
): Promise<{ gold: Corpus; pred: Corpus; labels: string[]; tokensPerSecond?: number }> {
  const mappedGold = mapCorpusLabels(gold, labelMap);
  if (mappedGold.kind === 'tokens' && readModelFolderConfig(modelDir).kind === 'neural') {
    await initEngine();
    const { model } = loadModelDir(modelDir);
    try {
      const sentences = mappedGold.documents.flatMap((d) => d.sentences);
      const evaluation = evaluateModel(model, sentences);
      let k = 0;
      const documents = mappedGold.documents.map((d) => ({
        ...d,
        sentences: d.sentences.map((s) => ({ ...s, tags: evaluation.predictions[k++] })),
      }));
      return { gold: mappedGold, pred: { ...mappedGold, documents, scheme: 'iob2' }, labels: [...model.tagSet.types], tokensPerSecond: evaluation.tokensPerSecond };
    } finally {
      model.dispose();
    }
  }
  const tagger = await loadTagger(modelDir);
  const passes = loadPasses(modelDir);
  try {
    const documents: CorpusDocument[] = [];
    for (const d of corpusDocuments(mappedGold)) {
      const { entities } = await tagDocument(tagger, d.text, { passes });
      documents.push({ id: d.id, text: d.text, entities: entities.map(({ start, end, label, confidence }) => ({ start, end, label, confidence })) });
    }
    const pred: Corpus = { kind: 'documents', format: 'jsonl', documents };
    const goldDocs: Corpus = mappedGold.kind === 'documents' ? mappedGold : { kind: 'documents', format: 'jsonl', documents: corpusDocuments(mappedGold) };
    return { gold: goldDocs, pred, labels: [...tagger.labels] };
  } finally {
    tagger.dispose();
  }
}

/** Renames entity types of a corpus (TYPE=O drops them). */
export function mapCorpusLabels(corpus: Corpus, map: Map<string, string>): Corpus {
  if (map.size === 0) return corpus;
  if (corpus.kind === 'tokens') {
    return {
      ...corpus,
      documents: corpus.documents.map((d) => ({
        ...d,
        sentences: d.sentences.map((s) => ({ ...s, ...applyLabelMap([s], map)[0] })),
      })),
    };
  }
  return {
    ...corpus,
    documents: corpus.documents.map((d) => ({
      ...d,
      entities: d.entities
        .map((e) => ({ ...e, label: map.get(e.label) ?? e.label }))
        .filter((e) => e.label !== 'O'),
    })),
  };
}
