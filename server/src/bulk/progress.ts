// Progress of a bulk run on stderr: a bar (cli-progress: documents, tokens/s, ETA) on a terminal, a plain line every
// few seconds otherwise, or JSON lines for the VS Code extension (--progress-json):
//   {"event":"progress","done":12,"total":40,"tokens":5120}   ...   {"event":"done","summary":{...}}
import type { Writable } from 'node:stream';
import { ProgressBar, Throttle, type ProgressMode } from '../progress';
import { formatSummary, type BulkSummary, type SkippedFile } from './summary';

export interface ProgressState {
  /** Documents finished (tagged and written, or up to date). */
  done: number;
  /** Documents known so far: each file counts one until a JSONL file is read and its lines are counted. */
  total: number;
  tokens: number;
  /** Documents whose job failed every attempt (queue runs). */
  failed?: number;
}

export interface ProgressReporter {
  update(state: ProgressState): void;
  skipped(skip: SkippedFile): void;
  finish(summary: BulkSummary): void;
  /** Leaves the terminal as it was (the bar's cursor) when the run ends with an error. */
  close(): void;
}

export function createProgressReporter(mode: ProgressMode, stderr: Writable): ProgressReporter {
  switch (mode) {
    case 'bar':
      return new BarReporter(stderr);
    case 'lines':
      return new LineReporter(stderr);
    case 'json':
      return new JsonReporter(stderr);
  }
}

/** Throttles updates to one per `intervalMs`, always letting the last one through at finish. */
abstract class Throttled implements ProgressReporter {
  private readonly throttle: Throttle;
  protected readonly startedAt = Date.now();
  protected state: ProgressState = { done: 0, total: 0, tokens: 0 };

  /** `showFirst`: show the first update at once (a bar, an event) rather than after one interval (plain lines). */
  constructor(intervalMs: number, showFirst = true) {
    this.throttle = new Throttle(intervalMs, showFirst);
  }

  update(state: ProgressState): void {
    this.state = state;
    if (this.throttle.due()) this.show(state);
  }

  protected tokensPerSecond(): number {
    const seconds = (Date.now() - this.startedAt) / 1000;
    return seconds > 0 ? this.state.tokens / seconds : 0;
  }

  protected abstract show(state: ProgressState): void;
  abstract skipped(skip: SkippedFile): void;
  abstract finish(summary: BulkSummary): void;
  close(): void {}
}

const BAR_FORMAT = 'tagging [{bar}] {value}/{total} documents | {tokens} tokens | {speed} tokens/s | ETA {eta_formatted}{failed}';

class BarReporter extends Throttled {
  private readonly bar: ProgressBar;

  constructor(private readonly stderr: Writable) {
    super(100);
    this.bar = new ProgressBar(stderr, { etaBuffer: 50 });
  }

  protected show(state: ProgressState): void {
    const payload = { tokens: state.tokens, speed: Math.round(this.tokensPerSecond()), failed: state.failed ? ` | ${state.failed} failed` : '' };
    this.bar.update(BAR_FORMAT, state.done, state.total, payload);
  }

  skipped(): void {} // listed in the summary; a line now would break the bar

  finish(summary: BulkSummary): void {
    if (this.bar.running) this.show(this.state);
    this.close();
    this.stderr.write(formatSummary(summary));
  }

  override close(): void {
    this.bar.stop();
  }
}

class LineReporter extends Throttled {
  constructor(private readonly stderr: Writable) {
    super(5000, false);
  }

  protected show(state: ProgressState): void {
    const failed = state.failed ? `, ${state.failed} failed` : '';
    this.stderr.write(`tagging: ${state.done}/${state.total} documents, ${state.tokens} tokens, ${Math.round(this.tokensPerSecond())} tokens/s${failed}\n`);
  }

  skipped(): void {}

  finish(summary: BulkSummary): void {
    this.stderr.write(formatSummary(summary));
  }
}

class JsonReporter extends Throttled {
  constructor(private readonly stderr: Writable) {
    super(200);
  }

  protected show(state: ProgressState): void {
    this.stderr.write(`${JSON.stringify({ event: 'progress', ...state })}\n`);
  }

  skipped(skip: SkippedFile): void {
    this.stderr.write(`${JSON.stringify({ event: 'skipped', ...skip })}\n`);
  }

  finish(summary: BulkSummary): void {
    this.show(this.state);
    this.stderr.write(`${JSON.stringify({ event: 'done', summary })}\n`);
  }
}
