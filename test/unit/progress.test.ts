// The progress shared by `bioner tag`, `train` and `pretrain` (server/src/progress.ts): which mode a run shows, the
// cli-progress bar that starts at its first update and starts again for a new phase or epoch, and the throttle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProgressBar, progressMode, Throttle } from '../../server/src/progress';
import { Capture, fakeClock, plain } from './helpers/terminal';

const HIDE = '\x1b[?25l';
const SHOW = '\x1b[?25h';
const count = (text: string, part: string): number => text.split(part).length - 1;

test('JSON lines when asked for, a bar on a terminal, plain lines otherwise', () => {
  assert.equal(progressMode(true, { isTTY: true }), 'json');
  assert.equal(progressMode(false, { isTTY: true }), 'bar');
  assert.equal(progressMode(undefined, {}), 'lines');
});

test('the bar starts at its first update, follows a growing total, and stops once', (t) => {
  fakeClock(t, 1_000);
  const err = new Capture(true);
  const bar = new ProgressBar(err);
  t.after(() => bar.stop()); // a bar left running (a failed assertion) would keep the test process alive
  bar.stop();
  assert.equal(err.text, '', 'nothing drawn, nothing to undo');
  bar.update('docs [{bar}] {value}/{total} {note}', 1, 4, { note: 'a' });
  assert.ok(bar.running);
  assert.ok(plain(err.text).includes('1/4 a'), plain(err.text));
  bar.update('docs [{bar}] {value}/{total} {note}', 2, 8, { note: 'b' });
  bar.stop();
  assert.ok(plain(err.text).includes('2/8 b'), plain(err.text));
  assert.equal(count(err.text, HIDE), 1, 'one bar for the whole run');
  bar.stop();
  assert.equal(count(err.text, SHOW), 1, 'the cursor given back once');
  assert.ok(!bar.running);
});

test('a new format (another phase) or, when asked, a new total (the next epoch) starts a new bar', (t) => {
  fakeClock(t, 1_000);
  const err = new Capture(true);
  const bar = new ProgressBar(err);
  t.after(() => bar.stop()); // a bar left running (a failed assertion) would keep the test process alive
  bar.update('layers [{bar}] {value}/{total}', 3, 10, {});
  bar.update('epoch [{bar}] {value}/{total}', 1, 5, {});
  assert.equal(count(err.text, HIDE), 2, 'a new bar for the new format');
  assert.equal(count(err.text, SHOW), 1, 'the first bar ended');
  bar.update('epoch [{bar}] {value}/{total}', 1, 6, {}, true);
  assert.equal(count(err.text, HIDE), 3, 'a new bar for the new total');
  bar.update('epoch [{bar}] {value}/{total}', 2, 6, {}, true);
  assert.equal(count(err.text, HIDE), 3, 'the same total keeps the bar');
  bar.stop();
});

test('the throttle lets one event through per interval, the first at once only when asked', (t) => {
  const clock = fakeClock(t, 10_000);
  const first = new Throttle(1000);
  const later = new Throttle(1000, false);
  assert.deepEqual([first.due(), later.due()], [true, false]);
  clock.set(10_999);
  assert.deepEqual([first.due(), later.due()], [false, false]);
  clock.set(11_000);
  assert.deepEqual([first.due(), later.due()], [true, true]);
  assert.deepEqual([first.due(), later.due()], [false, false]);
});
