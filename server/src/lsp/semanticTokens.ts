import {
  LSPErrorCodes,
  ResponseError,
  SemanticTokensBuilder,
  type CancellationToken,
  type SemanticTokensLegend,
} from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { CancelledError } from '../tagging/workerTagger';
import type { Assertion, EntityPrediction } from '../types';
import type { ServerContext } from './context';
import { ENTITY_TOKEN_MODIFIERS, ENTITY_TOKEN_TYPES } from './protocol';
import { labelShown, type BionerSettings } from './settings';

/** Fixed at initialize: one token type per known label, `entity` for any other label; modifiers (protocol.ts). */
export const legend: SemanticTokensLegend = {
  tokenTypes: [...ENTITY_TOKEN_TYPES],
  tokenModifiers: [...ENTITY_TOKEN_MODIFIERS],
};

const typeIndex = new Map<string, number>(ENTITY_TOKEN_TYPES.map((t, i) => [t, i]));
const GENERIC = typeIndex.get('entity')!;
const bit = (modifier: (typeof ENTITY_TOKEN_MODIFIERS)[number]): number => 1 << ENTITY_TOKEN_MODIFIERS.indexOf(modifier);
const UNCERTAIN = bit('uncertain');

/** The modifier bits of an entity's clinical context. */
export function assertionModifiers(assertion: Assertion | undefined): number {
  if (!assertion) return 0;
  let bits = 0;
  if (assertion.negation === 'negated') bits |= bit('negated');
  if (assertion.temporality === 'historical') bits |= bit('historical');
  if (assertion.temporality === 'hypothetical') bits |= bit('hypothetical');
  if (assertion.experiencer === 'other') bits |= bit('family');
  return bits;
}

/** The token type of a label: the label lower-cased if the legend has it, else the generic `entity`. */
export function tokenTypeOf(label: string): string {
  return ENTITY_TOKEN_TYPES[tokenTypeIndex(label)];
}

export function tokenTypeIndex(label: string): number {
  let index = typeIndex.get(label);
  if (index === undefined) {
    index = typeIndex.get(label.toLowerCase().replace(/[\s-]+/g, '_')) ?? GENERIC;
    typeIndex.set(label, index); // labels are few: remember each spelling
  }
  return index;
}

/**
 * Pushes the shown entities as semantic tokens, in document order. LSP tokens cannot span lines, so an entity
 * that does is split into one token per line; entities overlapping an earlier one are left out (tokens must not
 * overlap). Only entities overlapping [from, to) are pushed when a range is given. Returns how many tokens it pushed.
 */
export function pushEntityTokens(
  builder: SemanticTokensBuilder,
  document: TextDocument,
  entities: EntityPrediction[],
  settings: BionerSettings,
  from = 0,
  to = Number.POSITIVE_INFINITY,
): number {
  const allLabels = settings.labels.length === 0;
  const shown = entities.filter((e) => e.end > e.start && e.end > from && e.start < to && (allLabels || labelShown(settings, e.label)));
  // Entities usually arrive in document order already; sort only when they do not.
  const sorted = shown.every((e, i) => i === 0 || shown[i - 1].start <= e.start) ? shown : shown.sort((a, b) => a.start - b.start || b.end - a.end);
  let covered = -1;
  let pushed = 0;
  for (const entity of sorted) {
    if (entity.start < covered) continue;
    covered = entity.end;
    const type = tokenTypeIndex(entity.label);
    const modifiers = (entity.confidence < settings.confidenceThreshold ? UNCERTAIN : 0) | assertionModifiers(entity.assertion);
    const start = document.positionAt(entity.start);
    const end = document.positionAt(entity.end);
    for (let line = start.line; line <= end.line; line++) {
      const first = line === start.line ? start.character : 0;
      const last = line === end.line ? end.character : lineLength(document, line);
      if (last > first) {
        builder.push(line, first, last - first, type, modifiers);
        pushed++;
      }
    }
  }
  return pushed;
}

/** Length of a line without its terminator. */
function lineLength(document: TextDocument, line: number): number {
  const text = document.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } });
  return text.replace(/\r?\n$/, '').length;
}

/** Decodes LSP semantic token data back into absolute tokens (for tests and benchmarks). */
export function decodeTokens(
  data: number[],
): Array<{ line: number; character: number; length: number; type: string; modifiers: string[] }> {
  const tokens = [];
  let line = 0;
  let character = 0;
  for (let i = 0; i + 4 < data.length; i += 5) {
    line += data[i];
    character = data[i] === 0 ? character + data[i + 1] : data[i + 1];
    const modifiers = ENTITY_TOKEN_MODIFIERS.filter((_m, bit) => (data[i + 4] & (1 << bit)) !== 0);
    tokens.push({ line, character, length: data[i + 2], type: ENTITY_TOKEN_TYPES[data[i + 3]] ?? 'unknown', modifiers: [...modifiers] });
  }
  return tokens;
}

/** One builder per open document, so `full/delta` can answer with edits against the previous result. */
export class SemanticTokenBuilders {
  private readonly builders = new Map<string, SemanticTokensBuilder>();

  /** A fresh builder for a `full` answer (range answers use their own, unremembered builder). */
  fresh(uri: string): SemanticTokensBuilder {
    const builder = new SemanticTokensBuilder();
    this.builders.set(uri, builder);
    return builder;
  }

  /** The builder for a `full/delta` answer, primed with the previous result if it is still the one we sent. */
  delta(uri: string, previousResultId: string): SemanticTokensBuilder {
    let builder = this.builders.get(uri);
    if (!builder) this.builders.set(uri, (builder = new SemanticTokensBuilder()));
    builder.previousResult(previousResultId);
    return builder;
  }

  forget(uri: string): void {
    this.builders.delete(uri);
  }
}

/** `busy` in the message makes VS Code treat the refusal as expected and fall back to range requests. */
const RANGE_ONLY = 'busy: this file is above bioner.maxFileSize, so only the visible range is tagged';

/** semanticTokens/full, full/delta and range. Whole-document answers wait for the current version's entities. */
export function register(context: ServerContext, largeFileOpened: (document: TextDocument) => void): void {
  const builders = new SemanticTokenBuilders();
  const tokens = context.connection.languages.semanticTokens;

  const whole = async (uri: string, token: CancellationToken, builderFor: () => SemanticTokensBuilder) => {
    const document = context.documents.get(uri);
    if (!document) return undefined;
    if (context.entities.isLarge(document)) {
      largeFileOpened(document);
      throw new ResponseError(LSPErrorCodes.ServerCancelled, RANGE_ONLY, { retriggerRequest: false });
    }
    const analysis = await context.entities.current(uri, token);
    if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'cancelled');
    const current = context.documents.get(uri);
    if (!analysis || !current || analysis.version !== current.version) {
      throw new ResponseError(LSPErrorCodes.ContentModified, 'busy: the document changed');
    }
    const builder = builderFor();
    context.entityTokensSent(uri, pushEntityTokens(builder, current, analysis.entities, context.settings()), 'full');
    context.tokensServed(analysis);
    return builder;
  };

  tokens.on(async ({ textDocument }, token) => {
    const builder = await whole(textDocument.uri, token, () => builders.fresh(textDocument.uri));
    return builder ? builder.build() : { data: [] };
  });

  tokens.onDelta(async ({ textDocument, previousResultId }, token) => {
    const builder = await whole(textDocument.uri, token, () => builders.delta(textDocument.uri, previousResultId));
    return builder ? builder.buildEdits() : { edits: [] };
  });

  tokens.onRange(async ({ textDocument, range }, token) => {
    const document = context.documents.get(textDocument.uri);
    if (!document) return { data: [] };
    const from = document.offsetAt(range.start);
    const to = document.offsetAt(range.end);
    // TextDocument.update changes the document in place: the version is what tells an edit that came in meanwhile.
    const version = document.version;
    const large = context.entities.isLarge(document);
    if (large) largeFileOpened(document);
    const controller = new AbortController();
    token.onCancellationRequested(() => controller.abort());
    // A document still being tagged as a whole: its visible range is tagged first, on its own.
    const done = large ? undefined : context.entities.ready(document);
    let entities: EntityPrediction[];
    try {
      entities = done ? done.entities : await context.entities.inRange(document, from, to, controller.signal);
    } catch (error) {
      if (error instanceof CancelledError) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'cancelled');
      throw error;
    }
    if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'cancelled');
    const current = context.documents.get(textDocument.uri);
    if (!current || current.version !== version) throw new ResponseError(LSPErrorCodes.ContentModified, 'busy: the document changed');
    const builder = new SemanticTokensBuilder();
    context.entityTokensSent(textDocument.uri, pushEntityTokens(builder, current, entities, context.settings(), from, to), 'range');
    return builder.build();
  });

  context.documents.onDidClose(({ document }) => builders.forget(document.uri));
}
