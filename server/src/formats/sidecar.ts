// Which .ann belongs to which text: one sidecar per document, named so that no two documents can claim it. BRAT's own
// pairing for .txt files (notes/a.txt <-> notes/a.ann), and the whole file name plus .ann for any other text
// (notes/a.note <-> notes/a.note.ann, notes/a.md <-> notes/a.md.ann). The editor, Tag Folder (bulk/outputs.ts names
// its outputs the same way) and fine-tuning all use this rule. Free of runtime dependencies but node:path, so the
// client bundle imports it too.
import { extname } from 'node:path';

/** The sidecar .ann of a text file. */
export function sidecarPathFor(textPath: string): string {
  return /\.txt$/i.test(textPath) ? `${textPath.slice(0, -4)}.ann` : `${textPath}.ann`;
}

/** The text a sidecar .ann belongs to: a.note.ann -> a.note; a.ann -> a.txt. */
export function textPathForSidecar(annPath: string): string {
  const stem = annPath.replace(/\.ann$/i, '');
  return extname(stem) ? stem : `${stem}.txt`;
}
