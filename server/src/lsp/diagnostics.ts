import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { EntityPrediction } from '../types';
import type { AnnEntity, SidecarReview } from './annFile';
import { labelShown, type BionerSettings } from './settings';

export const DIAGNOSTIC_SOURCE = 'bioner';

/** Diagnostic codes; code actions use them to offer the matching fix. */
export type DiagnosticCode = 'uncertain' | 'entity' | 'not-annotated' | 'label-differs' | 'not-found' | 'stale-sidecar';

/**
 * The diagnostics of a document under `bioner.diagnostics`:
 * - `uncertain` (default): entities below the confidence threshold (Information);
 * - `all`: every entity (Information when uncertain, Hint otherwise);
 * - with a sidecar .ann (`annotations` defined), where the model and the user's annotations disagree (Warning): in a
 *   partial review (`review.complete` false, formats/review.ts) only on what the user reviewed: their entities and the
 *   spans they marked "not an entity"; a model entity in text nobody reviewed is no disagreement;
 * - `off`: nothing.
 * With `bioner.negatedInProblems` false, negated entities get neither of the first two (the .ann comparison stays).
 */
export function computeDiagnostics(
  document: TextDocument,
  entities: EntityPrediction[],
  settings: BionerSettings,
  annotations: AnnEntity[] | undefined,
  annName = 'the .ann file',
  review: SidecarReview = { complete: true, notEntities: [] },
): Diagnostic[] {
  if (settings.diagnostics === 'off') return [];
  const shown = entities.filter((e) => labelShown(settings, e.label));
  const range = (start: number, end: number) => ({ start: document.positionAt(start), end: document.positionAt(end) });
  const make = (start: number, end: number, severity: DiagnosticSeverity, code: DiagnosticCode, message: string): Diagnostic => ({
    range: range(start, end),
    severity,
    code,
    source: DIAGNOSTIC_SOURCE,
    message,
  });
  const result: Diagnostic[] = [];
  for (const e of shown) {
    if (!settings.negatedInProblems && e.assertion?.negation === 'negated') continue;
    const confidence = `${Math.round(e.confidence * 100)}%`;
    if (e.confidence < settings.confidenceThreshold) {
      result.push(make(e.start, e.end, DiagnosticSeverity.Information, 'uncertain', `Uncertain ${e.label} "${e.text}" (${confidence})`));
    } else if (settings.diagnostics === 'all') {
      result.push(make(e.start, e.end, DiagnosticSeverity.Hint, 'entity', `${e.label} "${e.text}" (${confidence})`));
    }
  }
  if (!annotations) return result;
  const key = (start: number, end: number) => `${start}:${end}`;
  const userBySpan = new Map(annotations.filter((a) => labelShown(settings, a.label)).map((a) => [key(a.start, a.end), a]));
  const modelBySpan = new Map(shown.map((e) => [key(e.start, e.end), e]));
  const overlaps = (e: { start: number; end: number }, spans: ReadonlyArray<{ start: number; end: number }>) =>
    spans.some((s) => s.start < e.end && e.start < s.end);
  for (const e of shown) {
    const user = userBySpan.get(key(e.start, e.end));
    if (!user) {
      const rejected = overlaps(e, review.notEntities);
      if (!review.complete && !rejected && !overlaps(e, annotations)) continue; // not reviewed yet
      const why = rejected ? `which you marked as not an entity in ${annName}` : `which is not in ${annName}`;
      result.push(make(e.start, e.end, DiagnosticSeverity.Warning, 'not-annotated', `The model finds ${e.label} "${e.text}", ${why}`));
    } else if (user.label.toLowerCase() !== e.label.toLowerCase()) {
      result.push(make(e.start, e.end, DiagnosticSeverity.Warning, 'label-differs', `The model says ${e.label}, ${annName} says ${user.label} (${user.id})`));
    }
  }
  for (const a of userBySpan.values()) {
    if (!modelBySpan.has(key(a.start, a.end))) {
      result.push(make(a.start, a.end, DiagnosticSeverity.Warning, 'not-found', `The model does not find ${a.label} "${document.getText().slice(a.start, a.end)}" (${a.id} in ${annName})`));
    }
  }
  return result;
}

/** The warning on the first character of a document whose sidecar was written against another text (sidecarSync.ts). */
export function staleSidecarDiagnostic(message: string): Diagnostic {
  const start = { line: 0, character: 0 };
  return { range: { start, end: start }, severity: DiagnosticSeverity.Warning, code: 'stale-sidecar', source: DIAGNOSTIC_SOURCE, message };
}
