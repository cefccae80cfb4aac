// Where bulk outputs may go. BioNER writes only into folders it created (marked with OUTPUT_MARKER) or empty ones,
// so a user's own annotation files (.ann, .conll, .jsonl) are never overwritten.
import * as fs from 'node:fs';
import * as path from 'node:path';

export const OUTPUT_MARKER = '.bioner-output.json';

/** Why `out` cannot receive the outputs of tagging `input`, or undefined when it can. */
export function outputFolderProblem(input: string, out: string): string | undefined {
  const rel = path.relative(path.resolve(input), path.resolve(out));
  if (rel === '') return 'the output folder is the input folder';
  if (!rel.startsWith('..') && !path.isAbsolute(rel)) return 'the output folder is inside the input folder';
  if (!fs.existsSync(out)) return undefined;
  if (!fs.statSync(out).isDirectory()) return `${out} is a file`;
  const entries = fs.readdirSync(out);
  if (entries.length && !entries.includes(OUTPUT_MARKER)) return `${out} already holds files that BioNER did not write`;
  return undefined;
}

/** Creates `out` and marks it as BioNER's, so a later run may write into it again. */
export function claimOutputFolder(out: string, details: Record<string, unknown>): void {
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(
    path.join(out, OUTPUT_MARKER),
    JSON.stringify({ writtenBy: 'BioNER', ...details, date: new Date().toISOString() }, null, 2) + '\n',
  );
}
