// What a person reviewed in a sidecar .ann the editor keeps. Files from elsewhere (a brat corpus, CoNLL, JSONL) are
// complete annotations: every entity is there, the rest of the text is no entity. A sidecar the editor creates is
// partial until the user marks the whole document as reviewed: only its entities and the spans marked "not an
// entity" are known, and training leaves the rest unknown (labels.ts UNKNOWN_TAG) instead of teaching "no entity".
//
// Stored as comment lines that brat's own tools skip:
//   # bioner-review: partial            (or: complete)
//   # bioner-not-entity: 24 31<TAB>ven asp      (brat code-point offsets, like T lines; the text for reading)

/** A span the user marked as no entity. Offsets as in the T lines (converted to UTF-16 by the caller). */
export interface NotEntityLine {
  start: number;
  end: number;
  mention: string;
  /** 1-based line in the .ann file. */
  line: number;
}

export interface ReviewRecord {
  /** False only when the file says `# bioner-review: partial`. */
  complete: boolean;
  notEntities: NotEntityLine[];
}

const REVIEW_LINE = /^# bioner-review: (partial|complete)\s*$/;
const NOT_ENTITY_LINE = /^# bioner-not-entity: (\d+) (\d+)\t(.*)$/;

export const PARTIAL_HEADER = '# bioner-review: partial';
export const COMPLETE_HEADER = '# bioner-review: complete';

/** True for the comment lines this module owns (so a brat parser can skip them). */
export function isReviewLine(line: string): boolean {
  return line.startsWith('# bioner-review:') || line.startsWith('# bioner-not-entity:');
}

/**
 * The review record of .ann content; `fail(line, message)` reports a malformed review line (it must throw).
 * The last `# bioner-review:` line wins.
 */
export function parseReview(content: string, fail: (line: number, message: string) => never): ReviewRecord {
  const record: ReviewRecord = { complete: true, notEntities: [] };
  content.split(/\r?\n/).forEach((line, index) => {
    if (!isReviewLine(line)) return;
    const review = REVIEW_LINE.exec(line);
    if (review) {
      record.complete = review[1] === 'complete';
      return;
    }
    const m = NOT_ENTITY_LINE.exec(line);
    if (!m) fail(index + 1, `malformed review line, expected "# bioner-review: partial|complete" or "# bioner-not-entity: start end<TAB>text": "${line}"`);
    const [, start, end, mention] = m;
    if (Number(end) <= Number(start)) fail(index + 1, `bad offsets ${start} ${end} (end must be after start)`);
    record.notEntities.push({ start: Number(start), end: Number(end), mention, line: index + 1 });
  });
  return record;
}

/** A `# bioner-not-entity:` line (code-point offsets, as in T lines); line breaks in the mention become spaces. */
export function formatNotEntityLine(start: number, end: number, mention: string): string {
  return `# bioner-not-entity: ${start} ${end}\t${mention.replace(/[\r\n\t\u2028\u2029\u0085\v\f]/g, ' ')}`;
}

/** The content with its review state set to `complete` (or partial), every other line kept byte for byte. */
export function setReviewState(content: string, complete: boolean): string {
  const header = complete ? COMPLETE_HEADER : PARTIAL_HEADER;
  const lines: string[] = content.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  const at = lines.findIndex((l) => REVIEW_LINE.test(l.replace(/\r?\n$/, '')));
  const newline = content.includes('\r\n') ? '\r\n' : '\n';
  if (at >= 0) lines[at] = header + (lines[at].endsWith('\r\n') ? '\r\n' : lines[at].endsWith('\n') ? '\n' : '');
  else lines.unshift(header + newline);
  return lines.join('');
}
