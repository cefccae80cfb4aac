// Progress of a long CLI run on stderr, shared by `bioner tag` (bulk), `train` and `pretrain`: how it is shown (a
// cli-progress bar on a terminal, a plain line now and then otherwise, or JSON lines for the VS Code extension), the
// bar itself, and the throttle that keeps plain lines and JSON events few.
import { SingleBar } from 'cli-progress';
import type { Writable } from 'node:stream';

export type ProgressMode = 'bar' | 'lines' | 'json';

/** JSON lines when asked for (--progress-json), a bar on a terminal, plain lines otherwise (a log file, a pipe). */
export function progressMode(json: boolean | undefined, stream: { isTTY?: boolean } = process.stderr): ProgressMode {
  return json ? 'json' : stream.isTTY ? 'bar' : 'lines';
}

/**
 * A cli-progress bar that starts at its first update and starts again when its total or its `format` changes (a new
 * epoch, another phase). `format` uses cli-progress's placeholders ({bar}, {value}, {total}, {percentage},
 * {eta_formatted}) and the keys of the payload.
 */
export class ProgressBar {
  private bar: SingleBar | undefined;
  private format = '';

  constructor(
    private readonly stream: Writable,
    private readonly options: { etaBuffer?: number } = {},
  ) {}

  get running(): boolean {
    return this.bar !== undefined;
  }

  /** Draws `value` of `total`; a changed total keeps the bar (and its ETA) unless `restartOnNewTotal`. */
  update(format: string, value: number, total: number, payload: Record<string, unknown>, restartOnNewTotal = false): void {
    if (this.bar && (format !== this.format || (restartOnNewTotal && this.bar.getTotal() !== total))) this.stop();
    if (!this.bar) {
      this.format = format;
      this.bar = new SingleBar({ format, stream: this.stream, hideCursor: true, ...this.options });
      this.bar.start(total, value, payload);
      return;
    }
    if (this.bar.getTotal() !== total) this.bar.setTotal(total);
    this.bar.update(value, payload);
  }

  /** Ends the bar's line and gives the cursor back; nothing when no bar is drawn. */
  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
  }
}

/** Lets one event through per `intervalMs`; `passFirst` lets the very first one through at once. */
export class Throttle {
  private last: number;

  constructor(
    private readonly intervalMs: number,
    passFirst = true,
  ) {
    this.last = passFirst ? 0 : Date.now();
  }

  due(): boolean {
    const now = Date.now();
    if (now - this.last < this.intervalMs) return false;
    this.last = now;
    return true;
  }
}
