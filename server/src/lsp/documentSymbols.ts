import { SymbolKind, SymbolTag, type DocumentSymbol } from 'vscode-languageserver';
import { assertionMarks } from '../tagging/assertion';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { EntityPrediction } from '../types';
import type { ServerContext } from './context';
import { labelShown } from './settings';
import { tokenTypeOf } from './semanticTokens';

/** Outline icons per entity type; anything else is a Constant. */
const KINDS: Record<string, SymbolKind> = {
  disease: SymbolKind.Event,
  drug: SymbolKind.Constant,
  chemical: SymbolKind.Constant,
  gene: SymbolKind.Class,
  protein: SymbolKind.Struct,
  species: SymbolKind.Namespace,
};

/**
 * The entities of a document as an outline: name = the text, detail = label, confidence and the clinical context
 * that is not the default ("negated", "historical", ...); a negated entity is also tagged deprecated (struck through).
 */
export function entitySymbols(document: TextDocument, entities: EntityPrediction[]): DocumentSymbol[] {
  return entities.map((e) => {
    const range = { start: document.positionAt(e.start), end: document.positionAt(e.end) };
    const marks = assertionMarks(e.assertion);
    return {
      name: e.text.replace(/\s+/g, ' ') || e.label,
      detail: `${e.label} ${Math.round(e.confidence * 100)}%${marks.length ? ` · ${marks.join(', ')}` : ''}`,
      kind: KINDS[tokenTypeOf(e.label)] ?? SymbolKind.Constant,
      ...(e.assertion?.negation === 'negated' ? { tags: [SymbolTag.Deprecated] } : {}),
      range,
      selectionRange: range,
    };
  });
}

export function register(context: ServerContext): void {
  context.connection.onDocumentSymbol(async ({ textDocument }, token) => {
    // Files above the size limit are only tagged where they are looked at: no outline for them.
    const analysis = await context.entities.current(textDocument.uri, token);
    const document = context.documents.get(textDocument.uri);
    if (!document || !analysis || analysis.partial || analysis.version !== document.version) return [];
    const settings = context.settings();
    return entitySymbols(document, analysis.entities.filter((e) => labelShown(settings, e.label)));
  });
}
