// An entity's assertion (negation, temporality, experiencer) as standard brat attribute lines: binary attributes
// `A1<TAB>Negated T1`, `Possible`, `Historical`, `Hypothetical`, and the multi-valued `A3<TAB>Experiencer T1 Other`.
// Only values other than the defaults (affirmed, recent, patient) are written; an entity that some attribute line
// names is read with an assertion (the defaults for what no line says), any other entity without one.
import type { Assertion } from '../types';

const BINARY: ReadonlyArray<{ name: string; property: 'negation' | 'temporality'; value: string }> = [
  { name: 'Negated', property: 'negation', value: 'negated' },
  { name: 'Possible', property: 'negation', value: 'possible' },
  { name: 'Historical', property: 'temporality', value: 'historical' },
  { name: 'Hypothetical', property: 'temporality', value: 'hypothetical' },
];

/** `A<n>` lines for one entity, numbered from `firstId`. */
export function attributeLines(assertion: Assertion | undefined, target: string, firstId: number): string[] {
  if (!assertion) return [];
  const lines: string[] = [];
  for (const b of BINARY) if (assertion[b.property] === b.value) lines.push(`${b.name} ${target}`);
  if (assertion.experiencer === 'other') lines.push(`Experiencer ${target} Other`);
  return lines.map((line, i) => `A${firstId + i}\t${line}\n`);
}

const A_LINE = /^A\d+\t(\S+) (\S+)(?: (\S+))?\s*$/;

/**
 * The assertions that the attribute lines of .ann content give, by entity id. Attributes of other names (a project's
 * own) are left alone.
 */
export function readAttributes(content: string): Map<string, Assertion> {
  const assertions = new Map<string, Assertion>();
  for (const line of content.split(/\r?\n/)) {
    const m = A_LINE.exec(line);
    if (!m) continue;
    const [, name, target, value] = m;
    const binary = BINARY.find((b) => b.name.toLowerCase() === name.toLowerCase());
    const experiencer = name.toLowerCase() === 'experiencer';
    if (!binary && !experiencer) continue;
    let assertion = assertions.get(target);
    if (!assertion) assertions.set(target, (assertion = { negation: 'affirmed', temporality: 'recent', experiencer: 'patient', triggers: {} }));
    if (binary) (assertion as unknown as Record<string, string>)[binary.property] = binary.value;
    else if (value && value.toLowerCase() !== 'patient') assertion.experiencer = 'other';
  }
  return assertions;
}
