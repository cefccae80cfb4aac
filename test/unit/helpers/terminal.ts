// A stderr stand-in for progress output (a terminal or not), escapes stripped, and Date.now() under a test's control.
import type { TestContext } from 'node:test';
import { Writable } from 'node:stream';

/** A stderr stand-in that keeps what is written; `tty` makes it look like a terminal to cli-progress. */
export class Capture extends Writable {
  private readonly chunks: string[] = [];
  constructor(tty = false) {
    super();
    if (tty) Object.assign(this, { isTTY: true, columns: 200 });
  }
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.chunks.push(chunk.toString());
    done();
  }
  get text(): string {
    return this.chunks.join('');
  }
}

// CSI sequences (cursor moves, clear line, cursor show/hide, line wrap) and ESC 7 / ESC 8 (save/restore cursor).
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]|\x1b[78]/g;
export const plain = (s: string): string => s.replace(ANSI, '');

/** Date.now() under the test's control (cli-progress reads it too). */
export function fakeClock(t: TestContext, start: number): { set(ms: number): void } {
  let now = start;
  t.mock.method(Date, 'now', () => now);
  return { set: (ms) => (now = ms) };
}
