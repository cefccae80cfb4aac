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
// Two inputs whose outputs would have the same name (n.md and n.md.txt) are refused before anything is written.
//
// An .ann bioner writes starts with a stamp holding the hash of the lines below it. An existing .ann without a
// matching stamp is a person's (hand-made, or ours and edited since): it is kept, and ours goes to <stem>.bioner.ann.
// An output is complete (skipped on the next run unless --force) when the record of the run that wrote it
// (COMPLETED_FILE in the output root) names the same input content, model fingerprint, output options and version of
// bioner (completionKey), and the output is still there as written. Modification times are not trusted (cp -p and tar restore old ones).
import { createHash } from 'node:crypto';
import { appendFileSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { UserError } from '../errors';
import { writeFileAtomicSync } from '../files/atomicWrite';
import { modelFingerprint } from '../model/fingerprint';
import { DOCUMENT_PASSES } from '../tagging/passes';
import { BIONER_VERSION } from '../version';
import type { InputFile } from './inputs';
import type { OutputFormat } from './render';

const EXTENSION: Record<OutputFormat, string> = { brat: '.ann', conll: '.conll', jsonl: '.jsonl', inline: '.inline.txt' };
const OURS_INFIX = '.bioner';
/** Files that --in-place runs write beside the inputs: never inputs themselves. */
export const OUR_OUTPUTS_GLOB = '**/*.bioner.*';

export interface OutputPlan {
  /** The tagged output file. */
  path: string;
  /** BRAT only: where the copy of the text goes (absent when the text already sits there). */
  textCopy?: string;
  /** BRAT only: the output is `<annStem>.ann`, or `<annStem>.bioner.ann` beside a person's (chosen again on commit). */
  annStem?: string;
  /** BRAT only: an existing .ann that a person wrote or edited, kept as is (the output went to .bioner.ann instead). */
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
  const target = annTarget(stem);
  if (!target) return { skipped: bothKept(stem) };
  return { plan: { path: target.path, textCopy, annStem: stem, keptUserAnn: target.kept } };
}

/**
 * Plans the output of every input under outRoot. An input that is another input's output (a text copy, an output
 * of an earlier run in the same tree) is dropped from the inputs. Two inputs with the same output are a UserError
 * naming both, before anything is written.
 */
export function planOutputs(
  files: InputFile[],
  format: OutputFormat,
  outRoot: string,
  inPlace: boolean,
): { files: InputFile[]; plans: Map<InputFile, PlanResult> } {
  const plans = new Map<InputFile, PlanResult>();
  const outputs = new Map<string, InputFile>();
  for (const file of files) {
    const result = planOutput(file, format, outRoot, inPlace);
    plans.set(file, result);
    if (!('plan' in result)) continue;
    // Both names an .ann may get count, since which one is written is decided again when it is written.
    const { path, textCopy, annStem } = result.plan;
    const names = annStem ? [`${annStem}.ann`, `${annStem}.bioner.ann`, textCopy] : [path, textCopy];
    for (const name of names) {
      if (!name) continue;
      const other = outputs.get(name);
      if (other && other !== file) {
        throw new UserError(
          `${other.rel} and ${file.rel} would both be written to ${relative(outRoot, name).split(sep).join('/')}: ` +
            'rename one of them, or leave one out with --exclude',
        );
      }
      outputs.set(name, file);
    }
  }
  return { files: files.filter((f) => !outputs.has(f.path)), plans };
}

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/** The first line of an .ann bioner writes: head, the sha256 (hex) of the lines below it, tail. */
export const ANN_STAMP = {
  head: '# bioner: written by "bioner tag"; sha256 ',
  hashLength: 64,
  tail: ' of the lines below (while they match, a new run may replace this file)\n',
};
const STAMP_LINE = /^# bioner: written by "bioner tag"; sha256 ([0-9a-f]{64}) of the lines below[^\n]*\n/;

/**
 * An .ann as bioner writes it: a first line stating the hash of the rest, so that a person's edit (an added or
 * corrected line) is seen and the file is never replaced again. It starts like every earlier bioner .ann, which the
 * editor extension recognises as model output.
 */
export function stampAnn(body: string): string {
  return `${ANN_STAMP.head}${sha256(body)}${ANN_STAMP.tail}${body}`;
}

/**
 * `ours`: written by bioner and unchanged since, so it may be replaced; `person`: anything else (hand-made, an edited
 * output of ours, an output of an older bioner that carried no hash, not a regular file, unreadable): never replaced.
 */
export function annState(path: string): 'missing' | 'ours' | 'person' {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return 'missing';
  if (!stat.isFile()) return 'person';
  let content: string;
  try {
    content = readFileSync(path, 'utf8');
  } catch {
    return 'person';
  }
  const stamp = STAMP_LINE.exec(content);
  return stamp && sha256(content.slice(stamp[0].length)) === stamp[1] ? 'ours' : 'person';
}

/** Where our .ann for `stem` goes: `stem.ann`, else `stem.bioner.ann` beside a person's; undefined when both are theirs. */
export function annTarget(stem: string): { path: string; kept?: string } | undefined {
  const main = `${stem}.ann`;
  if (annState(main) !== 'person') return { path: main };
  const beside = `${stem}${OURS_INFIX}.ann`;
  if (annState(beside) !== 'person') return { path: beside, kept: main };
  return undefined;
}

export function bothKept(stem: string): string {
  return `${stem}.ann and ${stem}${OURS_INFIX}.ann both hold a person's annotations (kept): move one away to tag it again`;
}

/** The record of completed outputs, in the output root (hidden; never an input: not a .txt/.md/.note/.jsonl name). */
export const COMPLETED_FILE = '.bioner-outputs';
/**
 * Bumped by hand with any change that gives the same input, model and options other output bytes between two releases
 * of bioner (a format, a document pass's rule, the segmenter); a release changes BIONER_VERSION, which is in the key too.
 */
const OUTPUT_VERSION = 3;

/**
 * The code that writes outputs, as far as it is in the key: bioner's version (package.json), OUTPUT_VERSION, and the
 * document passes by name (a pass added, removed or reordered changes the key without anyone remembering to bump it).
 */
export interface OutputCode {
  bioner: string;
  outputVersion: number;
  passes: string[];
}

export const OUTPUT_CODE: OutputCode = { bioner: BIONER_VERSION, outputVersion: OUTPUT_VERSION, passes: DOCUMENT_PASSES.map((p) => p.name) };

/**
 * What makes an output: the input's content hash, the model's fingerprint (model/fingerprint.ts), the options that
 * change the output and the code that writes it (OutputCode). Equal keys mean equal outputs (the queue names its jobs
 * by the same key).
 */
export function completionKey(parts: { input: string; model: string; format: OutputFormat; inPlace: boolean }, code: OutputCode = OUTPUT_CODE): string {
  return sha256(JSON.stringify([code.outputVersion, code.bioner, code.passes, parts.input, parts.model, parts.format, parts.inPlace]));
}

/** The content hash of a file, or undefined when it cannot be read (the read that follows says why). */
export function fileHash(path: string): string | undefined {
  try {
    const stat = statSync(path);
    return stat.isFile() ? sha256(readFileSync(path)) : undefined;
  } catch {
    return undefined;
  }
}

interface CompletedEntry {
  key: string;
  /** Byte sizes of the output and its text copy as written. */
  sizes: number[];
}

/**
 * The outputs of earlier runs under one output root: one JSON line per written output (`{"output","key","sizes"}`),
 * appended after the output is in place; the last line of an output wins. A missing or damaged record only means
 * that some inputs are tagged again.
 */
export class CompletedOutputs {
  private readonly file: string;
  private readonly entries = new Map<string, CompletedEntry>();
  private readonly model: string;

  constructor(
    private readonly root: string,
    modelDir: string,
    private readonly options: { format: OutputFormat; inPlace: boolean },
  ) {
    this.model = modelFingerprint(modelDir);
    this.file = join(root, COMPLETED_FILE);
    let lines: string[] = [];
    try {
      lines = readFileSync(this.file, 'utf8').split('\n');
    } catch {
      return; // no earlier run here
    }
    for (const line of lines) {
      try {
        const { output, key, sizes } = JSON.parse(line) as { output: unknown; key: unknown; sizes: unknown };
        if (typeof output === 'string' && typeof key === 'string' && Array.isArray(sizes)) this.entries.set(output, { key, sizes });
      } catch {
        // a line cut short by a crash: that output is redone
      }
    }
    // Keep the record small: rewritten when most of its lines are superseded.
    if (lines.length > 2 * this.entries.size + 100) {
      writeFileAtomicSync(this.file, [...this.entries].map(([output, entry]) => `${JSON.stringify({ output, ...entry })}\n`).join(''));
    }
  }

  /** The key an input's output would have now, or undefined when the input cannot be read. */
  keyOf(inputPath: string): string | undefined {
    const input = fileHash(inputPath);
    return input && this.keyOfHash(input);
  }

  /** The key of an input whose content hash is known (documents.ts: scanJsonl hashes a JSONL file as it streams). */
  keyOfHash(input: string): string {
    return completionKey({ input, model: this.model, ...this.options });
  }

  isComplete(plan: OutputPlan, key: string): boolean {
    const entry = this.entries.get(this.name(plan.path));
    if (!entry || entry.key !== key) return false;
    const sizes = [plan.path, plan.textCopy].flatMap((path) => (path ? [statSync(path, { throwIfNoEntry: false })?.size ?? -1] : []));
    if (sizes.length !== entry.sizes.length || sizes.some((size, i) => size !== entry.sizes[i])) return false;
    return !plan.annStem || annState(plan.path) === 'ours';
  }

  /** Records a written output (`path`: where it went, which for an .ann may differ from the plan's). */
  record(plan: OutputPlan, path: string, key: string): void {
    const sizes = [path, plan.textCopy].flatMap((p) => (p ? [statSync(p).size] : []));
    const entry = { key, sizes };
    this.entries.set(this.name(path), entry);
    appendFileSync(this.file, `${JSON.stringify({ output: this.name(path), ...entry })}\n`);
  }

  private name(path: string): string {
    return relative(this.root, path).split(sep).join('/');
  }
}
