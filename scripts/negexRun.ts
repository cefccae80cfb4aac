// What scripts/measure-negex-conditions.ts and scripts/negex-miss-causes.ts share: their options, tagging documents
// with `bioner tag` (JSONL on stdin: the whole pipeline, document passes included) and the "mostly upper case" test.
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

export interface NegexRunOptions {
  /** ../shared/data/negex/annotations-dev.tsv, or under --data / BIONER_DATA. */
  file: string;
  model: string;
  /** Another build's CLI (e.g. an older commit's, to compare); the rows are read by this one's code either way. */
  cli: string;
  option(name: string): string | undefined;
}

export function negexRunOptions(args: string[]): NegexRunOptions {
  const option = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const repo = join(__dirname, '..');
  const dataDir = resolve(option('--data') ?? process.env.BIONER_DATA ?? join(repo, '..', 'shared', 'data'));
  return {
    file: join(dataDir, 'negex', 'annotations-dev.tsv'),
    model: resolve(option('--model') ?? join(repo, 'models', 'default')),
    cli: resolve(option('--cli') ?? join(repo, 'dist', 'cli.js')),
    option,
  };
}

export interface TaggedEntity {
  start: number;
  end: number;
  label: string;
}

/** The entities of each document, by id, as `bioner tag` finds them; exits with its error when it fails. */
export function tagDocuments(options: NegexRunOptions, documents: Array<{ id: string; text: string }>): Map<string, TaggedEntity[]> {
  const input = documents.map((d) => JSON.stringify(d)).join('\n') + '\n';
  const run = spawnSync(process.execPath, [options.cli, 'tag', '-', '--model', options.model], { input, encoding: 'utf8', maxBuffer: 256 << 20 });
  if (run.status !== 0) {
    process.stderr.write(run.stderr);
    process.exit(1);
  }
  const entities = new Map<string, TaggedEntity[]>();
  for (const line of run.stdout.split('\n')) if (line.trim()) {
    const record = JSON.parse(line);
    entities.set(record.id, record.entities);
  }
  return entities;
}

/** More upper- than lower-case letters. */
export const mostlyUpper = (s: string): boolean => (s.match(/\p{Lu}/gu)?.length ?? 0) > (s.match(/\p{Ll}/gu)?.length ?? 0);

/** Each row's condition as the Condition column writes it (the note's own case), by row id. */
export function conditionColumn(content: string): Map<string, string> {
  return new Map(content.split(/\r?\n/).slice(1).map((line) => line.split('\t')).map((c) => [c[0], c[1]?.trim() ?? '']));
}

/**
 * The sentence with the condition in the case the Condition column gives it: the annotators wrote each condition in
 * capitals into its sentence ("no wheezes or RALES"; the column: "rales"). Only case changes, so offsets hold.
 */
export function asWritten(text: string, span: { start: number; end: number }, condition: string): string {
  // The column spaces words differently at times: recased word by word.
  const words = condition.split(/\s+/);
  let w = 0;
  const recased = text.slice(span.start, span.end).replace(/\S+/g, (word) => {
    const original = words[w++];
    return original && original.toLowerCase() === word.toLowerCase() ? original : word;
  });
  return text.slice(0, span.start) + recased + text.slice(span.end);
}
