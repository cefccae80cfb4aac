import { fileURLToPath } from 'node:url';
import { ShowMessageNotification, type Connection, type MessageType, type TextDocuments } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { EntityPrediction } from '../types';
import { AnnFileCache, annPathFor, tolerantAnnotations, tolerantReview, type AnnEntity, type SidecarReview } from './annFile';
import type { DocumentAnalysis, DocumentEntities } from './documentEntities';
import type { ModelHost } from './modelHost';
import type { SidecarSync } from './sidecarSync';
import type { BionerSettings } from './settings';

/** What every feature of the language server works with (built once in server.ts). */
export interface ServerContext {
  connection: Connection;
  documents: TextDocuments<TextDocument>;
  model: ModelHost;
  entities: DocumentEntities;
  annFiles: AnnFileCache;
  /** The sidecars of the open documents kept in step with their edits (sidecarSync.ts). */
  sidecars: SidecarSync;
  settings(): BionerSettings;
  /** Re-publishes what depends on a document's entities or annotations (diagnostics, status, token refresh). */
  republish(uri: string): void;
  /** Semantic tokens of this analysis were sent to the client (so no refresh is needed for it). */
  tokensServed(analysis: DocumentAnalysis): void;
  /** Semantic tokens holding `count` entity tokens were sent for a document (`full` or `range`). */
  entityTokensSent(uri: string, count: number, request: 'full' | 'range'): void;
}

/**
 * Entities overlapping [from, to) of the current text: from the document's analysis when it is done, else by tagging
 * just that range (huge files, or a document whose first tagging is still running: a hover need not wait for it).
 * Undefined when the document changed meanwhile: `TextDocument.update` changes the document object in place, so
 * its text, positions and offsets are then another version's than the entities' (the caller answers nothing).
 */
export async function entitiesAround(
  context: ServerContext,
  document: TextDocument,
  from: number,
  to: number,
): Promise<EntityPrediction[] | undefined> {
  const done = context.entities.isLarge(document) ? undefined : context.entities.ready(document);
  if (done) return done.entities.filter((e) => e.end > from && e.start < to);
  const version = document.version;
  const entities = await context.entities.inRange(document, from, to);
  return document.version === version ? entities : undefined;
}

/** The sidecar .ann path of a file: document, or undefined for documents that are not files (untitled, ...). */
export function annPathOf(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return annPathFor(fileURLToPath(uri));
  } catch {
    return undefined;
  }
}

/**
 * The user's annotations of a document that still fit its current text (one whose text no longer matches, e.g.
 * after unsaved edits, is left out rather than reported at a wrong place). Undefined without a sidecar .ann, for a
 * stale one (written against another text: sidecarSync.ts), which is never applied, and when the document changed
 * while the sidecar was read (its offsets would be another version's than the caller's).
 */
export async function currentAnnotations(context: ServerContext, document: TextDocument): Promise<AnnEntity[] | undefined> {
  const read = await currentSidecar(context, document);
  return read && tolerantAnnotations(read.content, document.getText(), read.path);
}

/** What the user reviewed in the document's sidecar (complete for a file from elsewhere); undefined as above. */
export async function currentReview(context: ServerContext, document: TextDocument): Promise<SidecarReview | undefined> {
  const read = await currentSidecar(context, document);
  return read && tolerantReview(read.content, document.getText());
}

/**
 * The sidecar of the document as it is now, read off the request path (annFile.ts: AnnFileCache), or undefined: no
 * sidecar, a stale one, or the document changed during the read (the caller answers for the version it was asked).
 */
async function currentSidecar(context: ServerContext, document: TextDocument): Promise<{ path: string; content: string } | undefined> {
  const version = document.version;
  const path = annPathOf(document.uri);
  if (!path || (await context.sidecars.stale(document.uri))) return undefined;
  const content = await context.annFiles.content(path);
  return content === undefined || document.version !== version ? undefined : { path, content };
}

/** window/showMessage (a notification: nothing waits for the user to dismiss it). */
export function showMessage(connection: Connection, type: MessageType, message: string): void {
  void connection.sendNotification(ShowMessageNotification.type, { type, message });
}
