import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CodeActionKind, MessageType, type CodeAction, type Diagnostic } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { readTextFileAsync } from '../formats/inputText';
import type { EntityPrediction } from '../types';
import { addAnnotation, addNotEntity, markReviewed, relabelAnnotation, removeAnnotation, startSidecar, tolerantAnnotations, type AnnEntity } from './annFile';
import { annPathOf, currentAnnotations, entitiesAround, showMessage, type ServerContext } from './context';
import { DIAGNOSTIC_SOURCE } from './diagnostics';
import { EditAnnotationCommand, MarkReviewedCommand, type MarkReviewedParams } from './protocol';
import { readIfExists } from './sidecarSync';

/** One change to a document's sidecar .ann, carried as the argument of the code action's command. */
export interface AnnotationEdit {
  uri: string;
  /** add a T line; relabel / remove T `id` (removing also records the span as no entity); record a span as no entity. */
  op: 'add' | 'relabel' | 'remove' | 'not-entity';
  start: number;
  end: number;
  text: string;
  label?: string;
  id?: string;
}

/**
 * The annotation actions for a cursor or a selection:
 * - on one of the user's annotations: `Change label to <L>` and `Not an entity` (removes it, and records the span as
 *   reviewed: no entity);
 * - on a model entity the user has not annotated: `Annotate as <its label>` (accept), `Change label to <L>`, and
 *   `Not an entity` (records the span as no entity, formats/review.ts);
 * - on any other selection: `Annotate as <L>` for every label.
 */
export function annotationActions(
  document: TextDocument,
  from: number,
  to: number,
  entities: EntityPrediction[],
  annotations: AnnEntity[] | undefined,
  labels: string[],
): Array<{ title: string; edit: AnnotationEdit; preferred?: boolean }> {
  const text = document.getText();
  const uri = document.uri;
  let user: AnnEntity | undefined;
  let predicted: EntityPrediction | undefined;
  let span: { start: number; end: number } | undefined;
  if (to > from) {
    const selected = text.slice(from, to);
    const start = from + (selected.length - selected.trimStart().length);
    const end = to - (selected.length - selected.trimEnd().length);
    if (end <= start) return [];
    span = { start, end };
    user = annotations?.find((a) => a.start === start && a.end === end);
    predicted = entities.find((e) => e.start === start && e.end === end);
  } else {
    const smallest = <T extends { start: number; end: number }>(items: T[]) =>
      items.filter((s) => s.start <= from && from < s.end).sort((a, b) => a.end - a.start - (b.end - b.start))[0];
    user = smallest(annotations ?? []);
    predicted = user ? entities.find((e) => e.start === user!.start && e.end === user!.end) : smallest(entities);
    span = user ?? predicted;
    if (!span) return [];
  }
  const spanText = text.slice(span.start, span.end);
  const base = { uri, start: span.start, end: span.end, text: spanText };
  const others = (label: string) => labels.filter((l) => l.toLowerCase() !== label.toLowerCase());
  if (user) {
    // Where the model disagrees with the user's label, its label is the preferred fix.
    const modelLabel = predicted?.label.toLowerCase();
    return [
      ...others(user.label).map((label) => ({
        title: `Change label to ${label}`,
        edit: { ...base, op: 'relabel' as const, id: user!.id, label },
        preferred: label.toLowerCase() === modelLabel || undefined,
      })),
      { title: 'Not an entity', edit: { ...base, op: 'remove', id: user.id } },
    ];
  }
  if (predicted) {
    const actions: Array<{ title: string; edit: AnnotationEdit; preferred?: boolean }> = [
      { title: `Annotate as ${predicted.label}`, edit: { ...base, op: 'add', label: predicted.label }, preferred: true },
      ...others(predicted.label).map((label) => ({ title: `Change label to ${label}`, edit: { ...base, op: 'add' as const, label } })),
    ];
    actions.push({ title: 'Not an entity', edit: { ...base, op: 'not-entity' } });
    return actions;
  }
  return labels.map((label) => ({ title: `Annotate as ${label}`, edit: { ...base, op: 'add' as const, label } }));
}

/**
 * Applies an AnnotationEdit to the .ann file on disk (atomic write; every other line kept). `text` is the document
 * text the offsets refer to, `content` the sidecar as just read (undefined: there is none). Returns what changed, for
 * the log.
 */
export function applyAnnotationEdit(annPath: string, text: string, edit: AnnotationEdit, content: string | undefined): string {
  const name = basename(annPath);
  const existing = content === undefined ? [] : tolerantAnnotations(content, text, annPath);
  // A sidecar the editor starts is a partial review: only what the user marks is known.
  startSidecar(annPath);
  switch (edit.op) {
    case 'add': {
      const same = existing.find((a) => a.start === edit.start && a.end === edit.end && a.label === edit.label);
      if (same) return `${name}: ${same.id} already marks "${edit.text}" as ${edit.label}`;
      const id = addAnnotation(annPath, text, { start: edit.start, end: edit.end, label: edit.label! });
      return `${name}: added ${id} ${edit.label} "${edit.text}"`;
    }
    case 'relabel':
      relabelAnnotation(annPath, text, checked(existing, annPath, edit).id, edit.label!);
      return `${name}: ${edit.id} is now ${edit.label}`;
    case 'remove':
      removeAnnotation(annPath, text, checked(existing, annPath, edit).id);
      addNotEntity(annPath, text, edit);
      return `${name}: removed ${edit.id} "${edit.text}", marked as no entity`;
    case 'not-entity':
      addNotEntity(annPath, text, edit);
      return `${name}: "${edit.text}" marked as no entity`;
  }
}

/** The annotation an edit refers to, still at the same place (the file may have changed since the action was offered). */
function checked(existing: AnnEntity[], annPath: string, edit: AnnotationEdit): AnnEntity {
  const entity = existing.find((a) => a.id === edit.id);
  if (!entity || entity.start !== edit.start || entity.end !== edit.end) {
    throw new Error(`${annPath}: ${edit.id} changed since the action was offered; try again`);
  }
  return entity;
}

export function register(context: ServerContext): void {
  const { connection } = context;

  connection.onCodeAction(async ({ textDocument, range, context: actionContext }): Promise<CodeAction[]> => {
    const document = context.documents.get(textDocument.uri);
    if (!document || !annPathOf(document.uri)) return [];
    const version = document.version;
    const from = document.offsetAt(range.start);
    const to = document.offsetAt(range.end);
    const entities = await entitiesAround(context, document, from, Math.max(to, from + 1));
    if (!entities) return []; // the text changed meanwhile: offering a span of another version would annotate other text
    const annotations = await currentAnnotations(context, document);
    if (document.version !== version) return []; // ... and so while the sidecar was read
    const labels = [...new Set([...(context.model.current?.labels ?? []), ...(annotations ?? []).map((a) => a.label)])].sort();
    return annotationActions(document, from, to, entities, annotations, labels).map(({ title, edit, preferred }) => ({
      title,
      kind: CodeActionKind.QuickFix,
      isPreferred: preferred,
      diagnostics: actionContext.diagnostics.filter((d) => d.source === DIAGNOSTIC_SOURCE && covers(document, d, edit)),
      command: { title, command: EditAnnotationCommand, arguments: [edit] },
    }));
  });

  connection.onExecuteCommand(async ({ command, arguments: args }) => {
    if (command === MarkReviewedCommand) return markDocumentReviewed(context, args?.[0]);
    if (command !== EditAnnotationCommand || !args?.[0]) return;
    let uri: string | undefined;
    try {
      const edit = annotationEditOf(args[0]);
      const editUri = (uri = edit.uri);
      const annPath = annPathOf(edit.uri);
      if (!annPath) throw new Error(`${edit.uri}: only files on disk can have a .ann sidecar`);
      // The edits of the document so far are in `text`: later ones stay logged against it (sidecarSync.ts).
      const mark = context.sidecars.mark(edit.uri);
      const text = context.documents.get(edit.uri)?.getText() ?? (await readTextFileAsync(fileURLToPath(edit.uri)));
      // The span is checked against the text as it is now: the action may have been offered for an older version.
      if (edit.end > text.length || text.slice(edit.start, edit.end) !== edit.text) {
        throw new Error(`${edit.uri}: the text changed since the action was offered; try again`);
      }
      await context.sidecars.serially(editUri, async () => {
        // The sidecar first follows the unsaved edits (and a stale one is refused), then says which text it describes.
        await context.sidecars.beforeAnnotationEdit(editUri, text, mark);
        // Read off the request path; the edit then reads and writes it at once (nothing in between: see serially).
        const done = applyAnnotationEdit(annPath, text, edit, await readIfExists(annPath));
        await context.sidecars.afterAnnotationEdit(editUri, text, mark);
        context.annFiles.forget(annPath);
        connection.console.log(done);
      });
    } catch (error) {
      showMessage(connection, MessageType.Error, `BioNER: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (uri) context.republish(uri);
  });
}

/** Mark Document as Fully Annotated (or back to partial): the sidecar's review line (formats/review.ts). */
async function markDocumentReviewed(context: ServerContext, params: unknown): Promise<void> {
  const { uri, complete } = (params ?? {}) as Partial<MarkReviewedParams>;
  try {
    if (typeof uri !== 'string' || typeof complete !== 'boolean') throw new Error('markReviewed needs {uri, complete}');
    const annPath = annPathOf(uri);
    if (!annPath) throw new Error(`${uri}: only files on disk can have a .ann sidecar`);
    const mark = context.sidecars.mark(uri);
    const text = context.documents.get(uri)?.getText();
    await context.sidecars.serially(uri, async () => {
      if (text !== undefined) await context.sidecars.beforeAnnotationEdit(uri, text, mark);
      await readIfExists(annPath); // off the request path: a slow disk waits here, not in the write below
      markReviewed(annPath, complete);
      if (text !== undefined) await context.sidecars.afterAnnotationEdit(uri, text, mark);
      context.annFiles.forget(annPath);
    });
    context.connection.console.log(`${basename(annPath)}: ${complete ? 'fully annotated' : 'partially annotated'}`);
    context.republish(uri);
  } catch (error) {
    showMessage(context.connection, MessageType.Error, `BioNER: ${error instanceof Error ? error.message : String(error)}`);
  }
}

const OPS: ReadonlyArray<AnnotationEdit['op']> = ['add', 'relabel', 'remove', 'not-entity'];

/** The command's argument (which any client may send) as an AnnotationEdit; an Error says what is wrong with it. */
export function annotationEditOf(value: unknown): AnnotationEdit {
  if (typeof value !== 'object' || value === null) throw new Error('the annotation edit must be an object');
  const { uri, op, start, end, text, label, id } = value as Record<string, unknown>;
  if (typeof uri !== 'string') throw new Error('the annotation edit has no "uri"');
  if (!OPS.includes(op as AnnotationEdit['op'])) throw new Error(`${uri}: unknown annotation edit ${JSON.stringify(op)}`);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || (start as number) < 0 || (end as number) <= (start as number)) {
    throw new Error(`${uri}: "start" and "end" must be whole offsets with 0 <= start < end (got ${JSON.stringify(start)}, ${JSON.stringify(end)})`);
  }
  if (typeof text !== 'string') throw new Error(`${uri}: the annotation edit has no "text"`);
  const edit: AnnotationEdit = { uri, op: op as AnnotationEdit['op'], start: start as number, end: end as number, text };
  if (op === 'add' || op === 'relabel') {
    if (typeof label !== 'string' || label === '' || /\s/.test(label)) throw new Error(`${uri}: cannot use the label ${JSON.stringify(label)}`);
    edit.label = label;
  }
  if (op === 'relabel' || op === 'remove') {
    if (typeof id !== 'string' || !/^T\d+$/.test(id)) throw new Error(`${uri}: ${JSON.stringify(id)} is not an annotation id (T1, T2, ...)`);
    edit.id = id;
  }
  return edit;
}

function covers(document: TextDocument, diagnostic: Diagnostic, edit: AnnotationEdit): boolean {
  return document.offsetAt(diagnostic.range.start) === edit.start && document.offsetAt(diagnostic.range.end) === edit.end;
}
