// Pairs a gold corpus with a predicted one so they can be scored, whatever their formats:
//  - two CoNLL corpora: sentence by sentence, the tokens must be identical;
//  - otherwise as documents, matched by id (or by position when the ids differ, e.g. CoNLL vs BRAT), and compared
//    in "non-whitespace character" coordinates when the texts differ only in whitespace (CoNLL's "Parkinson ' s"
//    against the original "Parkinson's").
// Pure: no I/O. Mismatches are UserErrors naming the two inputs.
import { UserError } from '../errors';
import type { Span } from '../types';
import { corpusDocuments, type Corpus } from '../formats/corpus';
import { tagsToSpans } from '../formats/tagSchemes';

/** An entity as scored: its span, its text (tokens joined by spaces for CoNLL) and its confidence, when known. */
export type AlignedSpan = Span & { text: string; confidence?: number };

export interface AlignedSpans {
  gold: AlignedSpan[][];
  pred: AlignedSpan[][];
}

function withText(spans: readonly (Span & { confidence?: number })[], text: (s: Span) => string): AlignedSpan[] {
  return spans.map((s) => ({ start: s.start, end: s.end, label: s.label, text: text(s), ...(s.confidence === undefined ? {} : { confidence: s.confidence }) }));
}

/** Maps offsets to the number of non-whitespace characters before them. */
function nonSpaceCoordinates(text: string): { key: string; at: (offset: number) => number } {
  const before = new Uint32Array(text.length + 1);
  let count = 0;
  let key = '';
  const parts: string[] = [];
  for (let i = 0; i < text.length; i++) {
    before[i] = count;
    if (!/\s/.test(text[i])) {
      count++;
      parts.push(text[i]);
    }
  }
  before[text.length] = count;
  key = parts.join('');
  return { key, at: (offset) => before[offset] };
}

/** Gold and predicted entities of the same sequences, ready for evaluateSpans. */
export function alignCorpora(gold: Corpus, pred: Corpus, names: { gold: string; pred: string }): AlignedSpans {
  if (gold.kind === 'tokens' && pred.kind === 'tokens') {
    const goldSentences = gold.documents.flatMap((d) => d.sentences);
    const predSentences = pred.documents.flatMap((d) => d.sentences);
    if (goldSentences.length !== predSentences.length) {
      throw new UserError(`${names.gold} has ${goldSentences.length} sentences but ${names.pred} has ${predSentences.length}`);
    }
    goldSentences.forEach((g, i) => {
      const p = predSentences[i];
      const k = g.tokens.findIndex((t, j) => t !== p.tokens[j]);
      if (g.tokens.length !== p.tokens.length || k >= 0) {
        const j = k >= 0 ? k : Math.min(g.tokens.length, p.tokens.length);
        throw new UserError(
          `${names.gold}:${g.line + j}: token "${g.tokens[j] ?? '(end of sentence)'}" differs from ${names.pred}:${p.line + j} ` +
            `"${p.tokens[j] ?? '(end of sentence)'}": the two files must have the same tokens`,
        );
      }
    });
    const tokenSpans = (s: (typeof goldSentences)[number]) => withText(tagsToSpans(s.tags).spans, (e) => s.tokens.slice(e.start, e.end).join(' '));
    return { gold: goldSentences.map(tokenSpans), pred: predSentences.map(tokenSpans) };
  }

  const goldDocs = corpusDocuments(gold);
  const predDocs = corpusDocuments(pred);
  const predById = new Map(predDocs.map((d) => [d.id, d]));
  const byId = goldDocs.every((d) => predById.has(d.id));
  if (!byId && goldDocs.length !== predDocs.length) {
    const missing = goldDocs.find((d) => !predById.has(d.id))!;
    throw new UserError(
      `document "${missing.id}" of ${names.gold} is not in ${names.pred}, and the two have different numbers of documents ` +
        `(${goldDocs.length} vs ${predDocs.length})`,
    );
  }
  const result: AlignedSpans = { gold: [], pred: [] };
  goldDocs.forEach((g, i) => {
    const p = byId ? predById.get(g.id)! : predDocs[i];
    const gold = withText(g.entities, (e) => g.text.slice(e.start, e.end));
    const pred = withText(p.entities, (e) => p.text.slice(e.start, e.end));
    if (g.text === p.text) {
      result.gold.push(gold);
      result.pred.push(pred);
      return;
    }
    const gc = nonSpaceCoordinates(g.text);
    const pc = nonSpaceCoordinates(p.text);
    if (gc.key !== pc.key) {
      throw new UserError(`document "${g.id}" of ${names.gold} and "${p.id}" of ${names.pred} have different texts`);
    }
    const project = (spans: AlignedSpan[], c: typeof gc): AlignedSpan[] => spans.map((s) => ({ ...s, start: c.at(s.start), end: c.at(s.end) }));
    result.gold.push(project(gold, gc));
    result.pred.push(project(pred, pc));
  });
  return result;
}
