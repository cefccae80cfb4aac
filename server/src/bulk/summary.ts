// What a bulk run did, kept as it goes and printed at the end (stderr), or sent as the "done" JSON event.
export interface SkippedFile {
  file: string;
  reason: string;
}

/** A queue job that failed every attempt: its files have no output. */
export interface FailedJob {
  job: string;
  files: string[];
  reason: string;
}

export interface BulkSummary {
  model: string;
  /** A queue run: the Redis address (workers run elsewhere; `workers` is 0). */
  queue?: string;
  /** A queue run: jobs that failed every attempt. */
  failed?: FailedJob[];
  workers: number;
  /** Input files seen (tagged, up to date, or skipped). */
  files: number;
  documents: number;
  /** Word tokens (the tokenizer's) in the documents tagged. */
  tokens: number;
  entities: Record<string, number>;
  seconds: number;
  tokensPerSecond: number;
  /** Output files written. */
  written: number;
  /** Inputs whose output was already complete (not tagged again; --force redoes them). */
  upToDate: number;
  skipped: SkippedFile[];
  /** BRAT files a person wrote or edited that were kept (our output went to .bioner.ann beside them). */
  keptUserAnn: string[];
  /** Stopped early by Ctrl-C. */
  interrupted: boolean;
  /** Peak resident memory of the whole process (worker threads included), MB. */
  peakRssMb: number;
}

export function emptySummary(model: string, workers: number): BulkSummary {
  return {
    model,
    workers,
    files: 0,
    documents: 0,
    tokens: 0,
    entities: Object.create(null) as Record<string, number>, // labels are data: "__proto__" is counted like any other
    seconds: 0,
    tokensPerSecond: 0,
    written: 0,
    upToDate: 0,
    skipped: [],
    keptUserAnn: [],
    interrupted: false,
    peakRssMb: 0,
  };
}

export function formatSummary(s: BulkSummary): string {
  const lines = [
    `${s.interrupted ? 'interrupted' : 'done'}: ${plural(s.documents, 'document')}, ${plural(s.tokens, 'token')} in ${s.seconds.toFixed(1)} s ` +
      `(${Math.round(s.tokensPerSecond)} tokens/s, ${s.queue ? `queue ${s.queue}` : plural(s.workers, 'worker')}, model ${s.model}, ` +
      `peak memory ${Math.round(s.peakRssMb)} MB)`,
  ];
  const labels = Object.keys(s.entities).sort();
  const total = labels.reduce((n, l) => n + s.entities[l], 0);
  lines.push(`entities: ${total}${labels.length ? ` (${labels.map((l) => `${l} ${s.entities[l]}`).join(', ')})` : ''}`);
  const failed = s.failed?.length ? `, ${new Set(s.failed.flatMap((f) => f.files)).size} failed` : '';
  lines.push(`files: ${s.files} seen, ${s.written} written, ${s.upToDate} already up to date, ${s.skipped.length} skipped${failed}`);
  for (const k of s.skipped) lines.push(`  skipped ${k.file}: ${k.reason}`);
  for (const f of s.failed ?? []) lines.push(`  failed job ${f.job} (${f.files.join(', ')}): ${f.reason}`);
  for (const ann of s.keptUserAnn) lines.push(`  kept ${ann} (written or edited by a person); output went to .bioner.ann`);
  return `${lines.join('\n')}\n`;
}

/** "1 document", "2 documents". */
export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
