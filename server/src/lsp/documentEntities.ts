import { LRUCache } from 'lru-cache';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { EntityPrediction } from '../types';
import { resolveDocument } from '../tagging/pipeline';
import { CancelledError } from '../tagging/workerTagger';
import type { ModelHost } from './modelHost';
import { changedRegion, Segmenter, type TextRange } from '../tagging/segmenter';

/** The entities of one version of a document (offsets into that version's text). */
export interface DocumentAnalysis {
  uri: string;
  version: number;
  /** Model generation (ModelHost.generation) the entities come from. */
  generation: number;
  modelName: string | undefined;
  /** The entities shown: the sentences' entities after the model's passes (terms, then DOCUMENT_PASSES: pipeline.ts). */
  entities: EntityPrediction[];
  /** The entities each sentence's tagging found, before the passes. */
  sentenceEntities: EntityPrediction[];
  /** True for files above bioner.maxFileSize: nothing is tagged up front, only requested ranges. */
  partial: boolean;
  /** The text and sentence ranges the entities were found in: the basis of the next, incremental analysis. */
  text: string;
  languageId: string;
  sentences: TextRange[];
}

export interface DocumentEntitiesOptions {
  debounceMs: number;
  /** Documents above this many bytes are tagged by range only. */
  maxFileSize(): number;
  /** The latest version of a document, if it is still open. */
  document(uri: string): TextDocument | undefined;
  /** A new analysis is in (published after debounced edits and on demand). */
  analyzed(analysis: DocumentAnalysis): void;
  /** The document is waiting for the model. */
  busy(uri: string): void;
  log(message: string): void;
}

/** Sentences per request to the model: the unit of work kept when a newer document version cancels the rest. */
const REQUEST_SENTENCES = 8;

interface DocumentState {
  timer?: NodeJS.Timeout;
  inflight?: { version: number; generation: number; controller: AbortController; promise: Promise<DocumentAnalysis> };
  result?: DocumentAnalysis;
}

/**
 * The per-document entity cache of the language server. Sentences are tagged once: results are cached by sentence
 * text (LRU), so an edit re-tags only the sentences it changed; and only the paragraphs around an edit are
 * segmented again (the rest of the previous analysis is kept, shifted). Edits are debounced, and a newer version of
 * a document cancels the tagging of an older one. All model work happens in the model's worker thread.
 */
export class DocumentEntities {
  private readonly segmenter = new Segmenter();
  /** Sentence text -> entities with sentence-relative offsets, for the current model generation. */
  private readonly sentenceCache = new LRUCache<string, EntityPrediction[]>({
    max: 50_000,
    maxSize: 16_000_000, // characters of sentence text, roughly
    sizeCalculation: (entities, sentence) => sentence.length + 64 * entities.length + 1,
  });
  private readonly states = new Map<string, DocumentState>();
  /** Sentences sent to the model so far (bioner/debugStats: shows what an edit or a huge file cost). */
  sentencesRequested = 0;
  private byteSize: { key: string; bytes: number } | undefined;

  constructor(
    private readonly model: ModelHost,
    private readonly options: DocumentEntitiesOptions,
  ) {}

  /** Above bioner.maxFileSize bytes (UTF-8, as on disk); exact size only computed near the limit. */
  isLarge(document: TextDocument): boolean {
    const max = this.options.maxFileSize();
    const length = document.getText().length;
    if (length > max) return true; // a UTF-16 unit is at least one UTF-8 byte
    if (length * 3 <= max) return false; // ... and at most three
    const key = `${document.uri}@${document.version}`;
    if (this.byteSize?.key !== key) this.byteSize = { key, bytes: Buffer.byteLength(document.getText(), 'utf8') };
    return this.byteSize.bytes > max;
  }

  /** The analysis of the document's current version, if it is already done (no waiting, no tagging). */
  ready(document: TextDocument): DocumentAnalysis | undefined {
    const result = this.states.get(document.uri)?.result;
    return result && result.version === document.version && result.generation === this.model.generation ? result : undefined;
  }

  /** The latest finished analysis of a document (possibly of an older version). */
  latest(uri: string): DocumentAnalysis | undefined {
    return this.states.get(uri)?.result;
  }

  /** Re-tags a document after a quiet period; a pending older request is cancelled right away. */
  schedule(document: TextDocument): void {
    const state = this.state(document.uri);
    clearTimeout(state.timer);
    if (state.inflight && state.inflight.version !== document.version) state.inflight.controller.abort();
    state.timer = setTimeout(() => {
      state.timer = undefined;
      this.current(document.uri).catch((error) => this.options.log(`tagging ${document.uri} failed: ${describe(error)}`));
    }, this.options.debounceMs);
  }

  /** The analysis of the current version of an open document, tagging it now if needed (no debounce). */
  async current(uri: string, token?: { isCancellationRequested: boolean }): Promise<DocumentAnalysis | undefined> {
    for (;;) {
      const document = this.options.document(uri);
      if (!document || token?.isCancellationRequested) return undefined;
      try {
        return await this.analyze(document);
      } catch (error) {
        if (!isCancellation(error)) throw error;
        // superseded by a newer version or model: try again with whatever is current now
      }
    }
  }

  /**
   * Entities overlapping [from, to) of the current text, tagging just the paragraphs around that range (urgently).
   * Used for the visible range of files above the size limit, and of documents whose whole tagging is not done yet
   * (and for hover and code actions in them).
   */
  async inRange(document: TextDocument, from: number, to: number, signal?: AbortSignal): Promise<EntityPrediction[]> {
    const text = document.getText();
    // Below the size limit, lines are read from the top so that markdown fences are known, as in a full analysis.
    const scanFrom = this.isLarge(document) ? paragraphStartBefore(text, from) : 0;
    const sentences = this.segmenter.sentences(text, document.languageId, from, Math.max(to, from + 1), scanFrom);
    // What the user looks at goes before the rest of a document being tagged.
    const passes = this.model.passes;
    const sentenceEntities = await this.tag(text, sentences, signal, document.uri, true);
    // The same passes as a full analysis, over the paragraphs read (a document pass sees only those).
    const entities = resolveDocument(text, sentenceEntities, sentences, { languageId: document.languageId, passes });
    return entities.filter((e) => e.end > from && e.start < to);
  }

  /** Forgets a closed document. */
  close(uri: string): void {
    const state = this.states.get(uri);
    if (!state) return;
    clearTimeout(state.timer);
    state.inflight?.controller.abort();
    this.states.delete(uri);
  }

  /** The model changed: drop every cached result and cancel work in flight. */
  reset(): void {
    this.sentenceCache.clear();
    for (const state of this.states.values()) {
      state.inflight?.controller.abort();
      state.inflight = undefined;
      state.result = undefined;
    }
  }

  private state(uri: string): DocumentState {
    let state = this.states.get(uri);
    if (!state) this.states.set(uri, (state = {}));
    return state;
  }

  private analyze(document: TextDocument): Promise<DocumentAnalysis> {
    const state = this.state(document.uri);
    const generation = this.model.generation;
    if (state.result && state.result.version === document.version && state.result.generation === generation) {
      return Promise.resolve(state.result);
    }
    if (state.inflight && state.inflight.version === document.version && state.inflight.generation === generation) {
      return state.inflight.promise;
    }
    state.inflight?.controller.abort();
    const controller = new AbortController();
    const promise = this.run(document, controller.signal).then(
      (analysis) => {
        if (state.inflight?.promise === promise) state.inflight = undefined;
        if (this.states.get(document.uri) === state) {
          state.result = analysis;
          this.options.analyzed(analysis);
        }
        return analysis;
      },
      (error: unknown) => {
        if (state.inflight?.promise === promise) state.inflight = undefined;
        throw error;
      },
    );
    state.inflight = { version: document.version, generation, controller, promise };
    return promise;
  }

  private async run(document: TextDocument, signal: AbortSignal): Promise<DocumentAnalysis> {
    const tagger = await this.model.ready();
    const generation = this.model.generation;
    const text = document.getText();
    const languageId = document.languageId;
    const passes = this.model.passes;
    const base = { uri: document.uri, version: document.version, generation, modelName: tagger?.modelName, text, languageId };
    if (this.isLarge(document)) return { ...base, entities: [], sentenceEntities: [], partial: true, sentences: [] };
    const previous = this.states.get(document.uri)?.result;
    const region =
      previous && !previous.partial && previous.generation === generation && previous.languageId === languageId
        ? changedRegion(previous.text, text, languageId)
        : undefined;
    if (!previous || !region) {
      const sentences = this.segmenter.sentences(text, languageId);
      const sentenceEntities = await this.tag(text, sentences, signal, document.uri);
      return { ...base, sentences, sentenceEntities, entities: resolveDocument(text, sentenceEntities, sentences, { languageId, passes }), partial: false };
    }
    // Only the paragraphs around the edit are segmented and looked up again; the rest is kept (shifted after it).
    const shift = region.nextEnd - region.previousEnd;
    const movedRange = (r: TextRange): TextRange => (shift === 0 ? r : { start: r.start + shift, end: r.end + shift });
    // Spelled out rather than spread: this runs for every entity after the edit, on every keystroke.
    const movedEntity = (e: EntityPrediction): EntityPrediction =>
      shift === 0
        ? e
        : e.runnerUp
          ? { start: e.start + shift, end: e.end + shift, label: e.label, text: e.text, confidence: e.confidence, runnerUp: e.runnerUp }
          : { start: e.start + shift, end: e.end + shift, label: e.label, text: e.text, confidence: e.confidence };
    const middle = this.segmenter.sentences(text, languageId, region.start, region.nextEnd).filter((r) => r.start < region.nextEnd);
    const middleEntities = await this.tag(text, middle, signal, document.uri);
    const sentences = [
      ...previous.sentences.filter((r) => r.end <= region.start),
      ...middle,
      ...previous.sentences.filter((r) => r.start >= region.previousEnd).map(movedRange),
    ];
    const sentenceEntities = [
      ...previous.sentenceEntities.filter((e) => e.end <= region.start),
      ...middleEntities,
      ...previous.sentenceEntities.filter((e) => e.start >= region.previousEnd).map(movedEntity),
    ];
    // Document-wide, so redone on every version (its cost: `npm run bench`, "document pass").
    return { ...base, sentences, sentenceEntities, entities: resolveDocument(text, sentenceEntities, sentences, { languageId, passes }), partial: false };
  }

  /** Entities (document offsets) of the given sentences; only sentences missing from the cache go to the model. */
  private async tag(
    text: string,
    sentences: TextRange[],
    signal: AbortSignal | undefined,
    uri: string,
    urgent = false,
  ): Promise<EntityPrediction[]> {
    const tagger = await this.model.ready();
    if (!tagger) return [];
    const generation = this.model.generation;
    const found = new Map<string, EntityPrediction[]>();
    const missing = new Set<string>();
    for (const s of sentences) {
      const sentence = text.slice(s.start, s.end);
      const cached = this.sentenceCache.get(sentence);
      if (cached) found.set(sentence, cached);
      else missing.add(sentence);
    }
    if (missing.size > 0) {
      // Whole-document work shows as busy until its analysis is published; a range (urgent) has no such end.
      if (!urgent) this.options.busy(uri);
      // Several small requests rather than one: each answered chunk is cached at once, so the work done before a
      // cancellation (the user typed on while a long document was tagged) is kept, and the next version of the
      // document only asks for what is still missing. Chunks go in document order: the top is tagged first.
      const batch = [...missing];
      this.sentencesRequested += batch.length;
      const requests: Array<Promise<void>> = [];
      for (let i = 0; i < batch.length; i += REQUEST_SENTENCES) {
        const chunk = batch.slice(i, i + REQUEST_SENTENCES);
        requests.push(
          tagger.tagSentences(chunk, signal, urgent).then((results) => {
            if (generation !== this.model.generation) return;
            chunk.forEach((sentence, k) => {
              found.set(sentence, results[k]);
              this.sentenceCache.set(sentence, results[k]);
            });
          }),
        );
      }
      try {
        await Promise.all(requests);
      } catch (error) {
        if (signal?.aborted || generation !== this.model.generation) throw new CancelledError(0);
        throw error;
      }
      if (signal?.aborted || generation !== this.model.generation) throw new CancelledError(0);
    }
    const entities: EntityPrediction[] = [];
    for (const s of sentences) {
      for (const e of found.get(text.slice(s.start, s.end)) ?? []) {
        const start = e.start + s.start;
        const end = e.end + s.start;
        entities.push(
          e.runnerUp
            ? { start, end, label: e.label, text: e.text, confidence: e.confidence, runnerUp: e.runnerUp }
            : { start, end, label: e.label, text: e.text, confidence: e.confidence },
        );
      }
    }
    return entities;
  }
}

function isCancellation(error: unknown): boolean {
  return error instanceof CancelledError;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Start of the paragraph containing `offset` (after the previous blank line), looking back at most 20,000 chars. */
function paragraphStartBefore(text: string, offset: number): number {
  const limit = Math.max(0, offset - 20_000);
  for (let i = Math.min(offset, text.length) - 1; i >= limit; i--) {
    if (text.charCodeAt(i) !== 10) continue;
    // a blank line ends just before i+1 if the previous line holds only whitespace
    let j = i - 1;
    while (j >= limit && (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9 || text.charCodeAt(j) === 13)) j--;
    if (j < limit || text.charCodeAt(j) === 10) return i + 1;
  }
  // no blank line nearby: start at a line start so no word is cut
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return lineStart < limit ? limit : lineStart;
}
