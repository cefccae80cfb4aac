// `bioner assert FILE|-`: the clinical context of entities someone else found. Reads JSONL
// `{"id", "text", "entities": [{"start", "end", "label"?}]}` and writes the same lines, every field kept, with each
// entity's `assertion` (negation, temporality, experiencer and the triggers that decided them). No model runs: the
// text is split into sentences as `bioner tag` splits it and ConText (tagging/assertion/) judges each entity.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { inputError, UserError } from '../../errors';
import { decodeText } from '../../formats/inputText';
import { entityOffsets, isRecord, parseJsonObject } from '../../formats/jsonl';
import { assertText } from '../../tagging/assertion';

/** One input line with `assertion` added to each entity (JSON, no newline). */
export function assertLine(line: string, file: string, lineNo: number): string {
  const value = parseJsonObject(line, file, lineNo);
  const { text, entities } = value;
  if (typeof text !== 'string') throw inputError(file, lineNo, '"text" must be a string');
  if (!Array.isArray(entities)) throw inputError(file, lineNo, '"entities" must be an array of {"start", "end"}');
  const spans = entities.map((entity: unknown, k) => {
    const what = `entity ${k + 1}`;
    if (!isRecord(entity)) throw inputError(file, lineNo, `${what} must be an object {"start", "end", "label"?}`);
    const { start, end } = entityOffsets(entity, text, file, lineNo, what);
    return { start, end, label: typeof entity.label === 'string' ? entity.label : 'ENTITY', index: k };
  });
  const sorted = [...spans].sort((a, b) => a.start - b.start || a.end - b.end);
  const assertions = assertText(text, sorted);
  const out = entities.map((entity) => ({ ...(entity as Record<string, unknown>) }));
  sorted.forEach((span, i) => (out[span.index].assertion = assertions[i]));
  return JSON.stringify({ ...value, entities: out });
}

export function register(program: Command): void {
  program
    .command('assert')
    .description(
      'Add the clinical context (negated/possible, historical/hypothetical, experiencer) to entities given in JSONL; no model runs',
    )
    .argument('<file>', 'JSONL, one {"id", "text", "entities": [{"start", "end", "label"?}]} per line, or - for stdin')
    .addHelpText(
      'after',
      `
Each output line is the input line with an "assertion" in every entity:
  {"negation": "affirmed"|"negated"|"possible", "temporality": "recent"|"historical"|"hypothetical",
   "experiencer": "patient"|"other", "triggers": {<property>: {"text", "start", "end", "source": "trigger"|"section"}}}
Offsets are UTF-16 code units (JavaScript string indices), end exclusive, as in every BioNER JSONL.`,
    )
    .action((file: string) => {
      const name = file === '-' ? '<stdin>' : file;
      let bytes: Buffer;
      try {
        bytes = readFileSync(file === '-' ? 0 : file);
      } catch (error) {
        throw new UserError(`${name}: cannot read (${(error as Error).message})`);
      }
      const lines = decodeText(bytes, name).split(/\r?\n/);
      let out = '';
      lines.forEach((line, index) => {
        if (line.trim() !== '') out += assertLine(line, name, index + 1) + '\n';
      });
      process.stdout.write(out);
    });
}
