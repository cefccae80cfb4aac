// First colours in the editor after a cold open (run with tsx after a build: `node --import tsx
// bench/lsp-editor-startup.ts [modelDir]`; needs `bash scripts/setup-e2e.sh`): the packaged extension in code-server
// and headless Chromium. A cold open, as issue 22 means it: a note opened in a running editor whose BioNER has not
// started its language server and has no model loaded. Per run: a fresh browser window (so a fresh extension host)
// on a fresh copy of the e2e workspace with no document open; once the window has finished starting (VS Code logs
// "Eager extensions activated", then a quiet second), examples/notes/discharge-summary.note is opened with Quick
// Open, as a user does. The clock starts when Enter is pressed in Quick Open.
//
// The phases, each in ms after that moment, from what can be observed:
//   - the page (its own clock): the note's text on screen; the first span with an entity colour;
//   - the extension host's log: BioNER activated (negative: it was already active, from onStartupFinished);
//   - the BioNER output channel (a log channel: every line has its time): the client starting the language server,
//     the server loading the model (it has `initialize`), the client's start done (initialized, providers
//     registered), the model loaded, the first semantic tokens holding entities sent by the server;
//   - by the server's own clock (its lines are stamped only when the busy extension host gets them): its process
//     start to `initialize`, and the model's load.
// Medians of BIONER_BENCH_STARTUP_RUNS (default 3). Prints JSON lines for bench/run.mjs; asserts nothing. VS Code's
// logs stay in test-results/bench-editor-startup/.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CODE_SERVER_VERSION, codeServerEntry, collectLogs, QUIET_USER_SETTINGS, startCodeServer } from '../test/e2e/harness/codeServer';
import { packageVsix, REPO } from '../test/e2e/harness/vsix';
import { launchChromium } from '../test/e2e/harness/workbench';
import { makeWorkspace, writeWorkspaceSettings } from '../test/e2e/harness/workspace';

const RUNS = Number(process.env.BIONER_BENCH_STARTUP_RUNS ?? 3);
const NOTE = 'discharge-summary.note';
const SHIPPED = join(REPO, 'models', 'default');
const TARGET_METRIC = 'editor: first entity colour after a cold open (note opened in a running window)';
/** BIONER_BENCH_SCREENSHOT=file.png: a screenshot of the last window, a few seconds after its first colours. */
const screenshot = process.env.BIONER_BENCH_SCREENSHOT && resolve(process.env.BIONER_BENCH_SCREENSHOT);

/** The entity colours package.json contributes (semantic token rules), as the browser reports them: "rgb(r, g, b)". */
function entityColours(): string[] {
  const manifest = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
  const rules: Record<string, { foreground?: string }> =
    manifest.contributes.configurationDefaults['editor.semanticTokenColorCustomizations'].rules;
  return Object.values(rules).flatMap(({ foreground }) => {
    if (!foreground) return [];
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(foreground.slice(i, i + 2), 16));
    return [`rgb(${r}, ${g}, ${b})`];
  });
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

interface Marks {
  /** Wall-clock ms (epoch): the note's text is on screen. */
  shown?: number;
  /** Wall-clock ms: a span of the note has an entity colour. */
  coloured?: number;
}

/**
 * Runs in the page from its first script on: watches the editor every 10 ms and notes (in window.__bionerMarks)
 * when the note's text first shows and when a span first has an entity colour. Written in plain JS for the page.
 */
const WATCH_PAGE = (args: { colours: string[]; text: string }) => {
  const w = globalThis as unknown as {
    __bionerMarks: Marks;
    document: { querySelectorAll(s: string): ArrayLike<{ textContent: string | null }> };
    getComputedStyle(e: unknown): { color: string };
    performance: { now(): number; timeOrigin: number };
  };
  w.__bionerMarks = {};
  // No named functions in here: tsx would wrap them in a helper the page does not have.
  const timer = setInterval(() => {
    const marks = w.__bionerMarks;
    const lines = w.document.querySelectorAll('.editor-instance .view-lines');
    // Editors render spaces as no-break spaces, or not: both count.
    if (marks.shown === undefined && Array.from(lines).some((l) => (l.textContent ?? '').replace(/\u00a0/g, ' ').includes(args.text))) {
      marks.shown = w.performance.timeOrigin + w.performance.now();
    }
    if (marks.shown === undefined) return;
    const spans = w.document.querySelectorAll('.editor-instance .view-lines span span');
    if (Array.from(spans).some((s) => args.colours.includes(w.getComputedStyle(s).color))) {
      marks.coloured = w.performance.timeOrigin + w.performance.now();
      clearInterval(timer);
    }
  }, 10);
};

/** Files under `dir` (recursively) whose path matches `pattern`. */
function filesUnder(dir: string, pattern: RegExp): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => pattern.test(f))
    .map((f) => join(dir, f));
}

/** The time of the first line of a VS Code log ("2026-12-05 06:21:22.938 [info] ...") matching `pattern`, epoch ms. */
function loggedAt(file: string | undefined, pattern: RegExp): number | undefined {
  if (!file || !existsSync(file)) return undefined;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)\.(\d{3}) /.exec(line);
    if (m && pattern.test(line)) {
      const [y, mo, d, h, mi, s, ms] = m.slice(1).map(Number);
      return new Date(y, mo - 1, d, h, mi, s, ms).getTime(); // VS Code logs local time
    }
  }
  return undefined;
}

/** The first number a line of a log matching `pattern` captures (its group 1). */
function loggedNumber(file: string | undefined, pattern: RegExp): number | undefined {
  if (!file || !existsSync(file)) return undefined;
  const m = pattern.exec(readFileSync(file, 'utf8'));
  return m ? Number(m[1]) : undefined;
}

async function until<T>(what: () => T | undefined, timeoutMs: number): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = what();
    if (value !== undefined || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The phases of one run, in ms after the open (null: not seen in the logs). */
const PHASES = {
  shown: 'note on screen',
  activated: 'BioNER activated (negative: already active before the open)',
  clientStarting: 'client starts the language server',
  serverInitialized: 'server has initialize (starts loading the model)',
  clientStarted: 'client start done (server initialized, providers registered)',
  modelLoaded: 'model loaded',
  firstTokens: 'first semantic tokens with entities sent',
  coloured: 'first entity colour on screen',
} as const;
type Phase = keyof typeof PHASES;

async function main(): Promise<void> {
  const entry = codeServerEntry();
  if (!entry) {
    const note = 'n/a: code-server is not installed (bash scripts/setup-e2e.sh)';
    console.log(JSON.stringify({ metric: TARGET_METRIC, value: null, unit: 'ms', target: '<= 2000', note }));
    return;
  }
  const model = process.argv[2] ? resolve(process.argv[2]) : SHIPPED;
  const colours = entityColours();
  const firstLine = readFileSync(join(REPO, 'examples', 'notes', NOTE), 'utf8').split('\n')[0].slice(0, 20);

  const scratch = mkdtempSync(join(tmpdir(), 'bioner-bench-editor-'));
  const logs = join(REPO, 'test-results', 'bench-editor-startup');
  rmSync(logs, { recursive: true, force: true });
  mkdirSync(logs, { recursive: true });
  const vsix = packageVsix(join(scratch, 'bioner.vsix'));
  const server = await startCodeServer({
    entry,
    vsix,
    userSettings: QUIET_USER_SETTINGS,
    logFile: join(logs, 'code-server.log'),
  });
  const vscodeLogs = join(server.userDataDir, 'logs');
  const browser = await launchChromium();
  const runs: Array<Partial<Record<Phase, number>>> = [];
  const durations: Array<Record<'serverUpToInitialize' | 'modelLoad', number | undefined>> = [];
  try {
    for (let run = 0; run < RUNS; run++) {
      const workspace = makeWorkspace();
      // No bioner.model for the shipped model: the extension's own models/default, as a user gets it.
      writeWorkspaceSettings(workspace, model === SHIPPED ? {} : { 'bioner.model': model });
      const hostsBefore = new Set(filesUnder(vscodeLogs, /remoteexthost\.log$/));
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      try {
        const page = await context.newPage();
        await page.addInitScript(WATCH_PAGE, { colours, text: firstLine });
        await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`);
        await page.locator('.monaco-workbench .statusbar').waitFor({ timeout: 120_000 });
        // This window's extension host, and the end of its start-up.
        const hostLog = await until(() => filesUnder(vscodeLogs, /remoteexthost\.log$/).find((f) => !hostsBefore.has(f)), 60_000);
        const hostDir = hostLog && resolve(hostLog, '..');
        await until(() => loggedAt(hostLog, /Eager extensions activated/), 60_000);
        await page.waitForTimeout(1000);

        // Open the note as a user does: Quick Open, its name, Enter.
        await page.keyboard.press('Control+P');
        const input = page.locator('.quick-input-widget input');
        await input.waitFor({ state: 'visible' });
        await input.fill(NOTE);
        await page.locator('.quick-input-widget .monaco-list-row', { hasText: NOTE }).first().waitFor({ state: 'visible' });
        const opened = await page.evaluate(() => {
          const p = (globalThis as unknown as { performance: { timeOrigin: number; now(): number } }).performance;
          return p.timeOrigin + p.now();
        });
        await page.keyboard.press('Enter');
        await page.waitForFunction(() => (globalThis as unknown as { __bionerMarks: Marks }).__bionerMarks.coloured !== undefined, undefined, {
          timeout: 120_000,
          polling: 100,
        });
        const marks: Marks = await page.evaluate(() => (globalThis as unknown as { __bionerMarks: Marks }).__bionerMarks);
        // The output channel reaches its log file a little later.
        const channel = () => (hostDir ? filesUnder(hostDir, /BioNER[^/]*\.log$/)[0] : undefined);
        await until(() => loggedAt(channel(), /first entity tokens sent/), 10_000);
        const at: Partial<Record<Phase, number | undefined>> = {
          shown: marks.shown,
          activated: loggedAt(hostLog, /_doActivateExtension bioner\.bioner\b/),
          clientStarting: loggedAt(channel(), /starting the language server/),
          serverInitialized: loggedAt(channel(), /loading model /),
          clientStarted: loggedAt(channel(), /language server started in/),
          modelLoaded: loggedAt(channel(), /model ".*" loaded in/),
          firstTokens: loggedAt(channel(), /first entity tokens sent/),
          coloured: marks.coloured,
        };
        const phases = Object.fromEntries(
          Object.entries(at).flatMap(([k, t]) => (t === undefined ? [] : [[k, Math.round(t - opened)]])),
        ) as Partial<Record<Phase, number>>;
        runs.push(phases);
        // Durations by the server's own clock (the log lines above are stamped when the extension host gets them).
        const own = {
          serverUpToInitialize: loggedNumber(channel(), /initialize (\d+) ms after the server process started/),
          modelLoad: loggedNumber(channel(), /model ".*" loaded in (\d+) ms/),
        };
        durations.push(own);
        console.error(
          `run ${run + 1}: ${(Object.keys(PHASES) as Phase[]).map((k) => `${k} ${phases[k] ?? '-'}`).join(', ')} (ms after the open); ` +
            `server's clock: process start to initialize ${own.serverUpToInitialize ?? '-'}, model load ${own.modelLoad ?? '-'} ms`,
        );
        if (screenshot && run === RUNS - 1) {
          // The whole note tagged by now: the picture of the editor in the README.
          await page.waitForTimeout(5000);
          await page.screenshot({ path: screenshot });
        }
      } finally {
        await context.close();
        rmSync(workspace, { recursive: true, force: true });
      }
    }
  } finally {
    await browser.close();
    collectLogs(server, logs);
    await server.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
  const note = `code-server ${CODE_SERVER_VERSION} + headless Chromium, ${model === SHIPPED ? 'models/default (shipped)' : model}, examples/notes/${NOTE} opened by Quick Open in a started window, median of ${RUNS} windows`;
  const phaseOf = (k: Phase) => median(runs.flatMap((r) => (r[k] === undefined ? [] : [r[k]!])));
  const metrics = [
    { metric: TARGET_METRIC, value: phaseOf('coloured'), unit: 'ms', target: '<= 2000', note },
    ...(Object.keys(PHASES) as Phase[])
      .filter((k) => k !== 'coloured')
      .map((k) => ({ metric: `editor cold open, ${PHASES[k]}`, value: phaseOf(k), unit: 'ms', note: 'ms after Enter in Quick Open; median' })),
  ];
  const durationOf = (k: 'serverUpToInitialize' | 'modelLoad') => median(durations.flatMap((d) => (d[k] === undefined ? [] : [d[k]!])));
  metrics.push(
    { metric: 'editor cold open, server process start to initialize (its own clock)', value: durationOf('serverUpToInitialize'), unit: 'ms', note: 'median' },
    { metric: 'editor cold open, model load in the server (initialize to model loaded)', value: durationOf('modelLoad'), unit: 'ms', note: 'median' },
  );
  console.log(JSON.stringify({ metrics }));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
