// Where `bioner tag --out DIR` (or --in-place) writes each input's output, and whether that output is already done.
//
// Naming (mirrors the input tree under the output root): the input's relative path, minus a ".txt" extension, plus
// the format's extension:  a/b.txt -> a/b.ann | a/b.conll | a/b.jsonl | a/b.inline.txt;  a/c.md -> a/c.md.ann ...;
// a/d.jsonl -> a/d.jsonl.jsonl | a/d.jsonl.conll.  BRAT output under --out also gets a copy of the text beside the
// .ann (a/b.txt, a/c.md.txt), so the output folder opens in BRAT as is.
// --in-place writes beside the inputs, where a name like a/b.jsonl may be a person's file: there every format but
// BRAT gets a ".bioner" infix (a/b.bioner.jsonl, a/b.bioner.conll, a/b.bioner.inline.txt), no text copy is made,
// and files named *.bioner.* are never read as input.
// BRAT output of a JSONL input is not written (one text per .ann is what BRAT reads): the file is skipped with a reason.
//
// An existing .ann that does not start with BRAT_MARKER is a person's annotation: it is kept and ours goes to
// <stem>.bioner.ann. An output is complete (skipped on the next run unless --force) when it exists, is newer than
// its input, and, for .ann, is ours; every output is written to a temp file and renamed, so existing means complete.
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { InputFile } from './inputs';
import { BRAT_MARKER, type OutputFormat } from './render';

const EXTENSION: Record<OutputFormat, string> = { brat: '.ann', conll: '.conll', jsonl: '.jsonl', inline: '.inline.txt' };
const OURS_INFIX = '.bioner';
/** Files that --in-place runs write beside the inputs: never inputs themselves. */
export const OUR_OUTPUTS_GLOB = '**/*.bioner.*';

export interface OutputPlan {
  /** The tagged output file. */
  path: string;
  /** BRAT only: where the copy of the text goes (absent when the text already sits there). */
  textCopy?: string;
  /** BRAT only: an existing .ann that a person wrote, kept as is (the output went to .bioner.ann instead). */
  keptUserAnn?: string;
}

export type PlanResult = { plan: OutputPlan } | { skipped: string };

/** Output path(s) for one input under outRoot; `inPlace` means outRoot is the input tree itself. */
export function planOutput(file: InputFile, format: OutputFormat, outRoot: string, inPlace: boolean): PlanResult {
  if (format === 'brat' && file.kind === 'jsonl') {
    return { skipped: 'BRAT output needs one text per file; tag JSONL input with --format jsonl or conll' };
  }
  const stem = join(outRoot, file.rel.replace(/\.txt$/i, ''));
  if (format !== 'brat') return { plan: { path: `${stem}${inPlace ? OURS_INFIX : ''}${EXTENSION[format]}` } };
  const textCopy = inPlace ? undefined : `${stem}.txt`;
  const ann = `${stem}.ann`;
  if (exists(ann) && !isOurAnn(ann)) return { plan: { path: `${stem}.bioner.ann`, textCopy, keptUserAnn: ann } };
  return { plan: { path: ann, textCopy } };
}

/**
 * Plans the output of every input under outRoot. An input that is another input's output (a text copy, an output
 * of an earlier run in the same tree) is dropped from the inputs.
 */
export function planOutputs(
  files: InputFile[],
  format: OutputFormat,
  outRoot: string,
  inPlace: boolean,
): { files: InputFile[]; plans: Map<InputFile, PlanResult> } {
  const plans = new Map<InputFile, PlanResult>();
  const outputs = new Set<string>();
  for (const file of files) {
    const result = planOutput(file, format, outRoot, inPlace);
    plans.set(file, result);
    if ('plan' in result) for (const path of [result.plan.path, result.plan.textCopy]) if (path) outputs.add(path);
  }
  return { files: files.filter((f) => !outputs.has(f.path)), plans };
}

/** True when a previous run already wrote this plan's output(s) from the current input. */
export function isComplete(plan: OutputPlan, inputPath: string): boolean {
  const inputTime = mtime(inputPath);
  if (inputTime === undefined) return false;
  for (const path of [plan.path, plan.textCopy]) {
    if (path === undefined) continue;
    const time = mtime(path);
    if (time === undefined || time < inputTime) return false;
  }
  return !plan.path.endsWith('.ann') || isOurAnn(plan.path);
}

/** An .ann whose first line is BRAT_MARKER was written by bioner and may be overwritten. */
export function isOurAnn(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const buffer = Buffer.alloc(BRAT_MARKER.length);
    const read = readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.subarray(0, read).toString('utf8') === BRAT_MARKER;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function exists(path: string): boolean {
  return mtime(path) !== undefined;
}

function mtime(path: string): number | undefined {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}
