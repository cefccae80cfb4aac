import type { Hover } from 'vscode-languageserver';
import { describeVariant } from '../text/variants';
import type { Assertion, EntityPrediction } from '../types';
import type { AnnEntity } from './annFile';
import { currentAnnotations, entitiesAround, type ServerContext } from './context';
import { labelShown } from './settings';

/**
 * Markdown for one entity: label, confidence, the span text, the runner-up label, what the document pass based it on
 * (an abbreviation's long form, or the line of the entity it repeats), a shorthand's expansion, a variant's normalised
 * form, the model (and the user's label).
 */
export function hoverMarkdown(entity: EntityPrediction, modelName: string | undefined, annotation?: AnnEntity, repeatLine?: number): string {
  const lines = [
    `**${entity.label}** — ${percent(entity.confidence)} confident`,
    '',
    entity.expansion === undefined ? inlineCode(entity.text) : `${inlineCode(entity.text)} — ${entity.expansion} (clinical shorthand)`,
    '',
  ];
  if (entity.runnerUp) lines.push(`Runner-up: ${entity.runnerUp.label} (${percent(entity.runnerUp.confidence)})`, '');
  if (entity.abbreviationOf !== undefined) lines.push(`Abbreviation of ${inlineCode(entity.abbreviationOf)} (its confidence)`, '');
  if (repeatLine !== undefined) lines.push(`Repeats the ${entity.label} tagged on line ${repeatLine} (its confidence)`, '');
  if (entity.variant) lines.push(`Variant: ${describeVariant(entity.variant)} (sequence-variant grammar)`, '');
  const context = assertionLines(entity.assertion);
  if (context.length > 0) lines.push(context.join('  \n'), '');
  if (annotation) lines.push(`Your annotation (${annotation.id}): ${annotation.label}`, '');
  lines.push(`_Model: ${modelName ?? 'none'}_`);
  return lines.join('\n');
}

/**
 * One line per property that is not the default, naming what decided it: "negated by *denies*", "historical by
 * section *Past medical history*", "someone else's (not the patient's) by *mother*".
 */
export function assertionLines(assertion: Assertion | undefined): string[] {
  if (!assertion) return [];
  const lines: string[] = [];
  const by = (property: keyof Assertion['triggers']): string => {
    const cue = assertion.triggers[property];
    if (!cue) return '';
    const text = cue.text.replace(/[*_`\\[\]]/g, '').replace(/\s+/g, ' ');
    return cue.source === 'section' ? ` by section *${text}*` : ` by *${text}*`;
  };
  if (assertion.negation !== 'affirmed') lines.push(`${assertion.negation}${by('negation')}`);
  if (assertion.temporality !== 'recent') lines.push(`${assertion.temporality}${by('temporality')}`);
  if (assertion.experiencer !== 'patient') lines.push(`someone else's (not the patient's)${by('experiencer')}`);
  return lines;
}

/** Text as one line of Markdown inline code. */
function inlineCode(text: string): string {
  return `\`${text.replace(/`/g, "'").replace(/\s+/g, ' ')}\``;
}

/** 0.874 -> "87.4%", 0.4 -> "40%" (one decimal, dropped when it is zero). */
function percent(p: number): string {
  return `${Number((p * 100).toFixed(1))}%`;
}

export function register(context: ServerContext): void {
  context.connection.onHover(async ({ textDocument, position }): Promise<Hover | null> => {
    const document = context.documents.get(textDocument.uri);
    if (!document) return null;
    const version = document.version;
    const offset = document.offsetAt(position);
    const settings = context.settings();
    // Undefined: the text changed while the entities were found; their offsets are not this text's.
    const entity = (await entitiesAround(context, document, offset, offset + 1))
      ?.filter((e) => e.start <= offset && offset < e.end && labelShown(settings, e.label))
      .sort((a, b) => a.end - a.start - (b.end - b.start))[0];
    if (!entity) return null;
    const annotation = (await currentAnnotations(context, document))?.find((a) => a.start === entity.start && a.end === entity.end);
    // The sidecar is read off the request path: the document may have changed meanwhile (TextDocument.update changes
    // it in place), and the entity's offsets are the version's that was asked about.
    if (document.version !== version) return null;
    const repeatLine = entity.repeatOf === undefined ? undefined : document.positionAt(entity.repeatOf).line + 1;
    return {
      contents: { kind: 'markdown', value: hoverMarkdown(entity, context.model.current?.modelName, annotation, repeatLine) },
      range: { start: document.positionAt(entity.start), end: document.positionAt(entity.end) },
    };
  });
}
