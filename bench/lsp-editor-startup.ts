// First colours in the editor after a cold open (run with tsx after a build: `node --import tsx
// bench/lsp-editor-startup.ts [modelDir]`; needs `bash scripts/setup-e2e.sh`): the packaged extension in code-server,
// and per run a fresh browser window (so a fresh extension host) on a fresh copy of the e2e workspace, opened with
// examples/notes/discharge-summary.note already in the editor, as VS Code does for `code note.txt` or restored editors.
// It covers everything bench/lsp-startup.ts skips: the workbench, extension activation, the client's start and the
// server's spawn, then model load and the first tag. Two figures per run, both from the page's own clock:
//   - note shown -> first entity colour (the target): the note's text is on screen until a span has an entity colour;
//   - page opened -> first entity colour: the same from the navigation of the window.
// Median of BIONER_BENCH_STARTUP_RUNS (default 3). Prints JSON lines for bench/run.mjs; asserts nothing. Where the time
// went: VS Code's logs in test-results/bench-editor-startup/ (the extension host log times the activation; the BioNER
// output channel says how long the language server took to start and the model to load).
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CODE_SERVER_VERSION, codeServerEntry, collectLogs, QUIET_USER_SETTINGS, startCodeServer } from '../test/e2e/harness/codeServer';
import { packageVsix, REPO } from '../test/e2e/harness/vsix';
import { launchChromium } from '../test/e2e/harness/workbench';
import { makeWorkspace, writeWorkspaceSettings } from '../test/e2e/harness/workspace';

const RUNS = Number(process.env.BIONER_BENCH_STARTUP_RUNS ?? 3);
const NOTE = 'discharge-summary.note';
const SHIPPED = join(REPO, 'models', 'default');
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

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

interface Marks {
  /** ms since the page's navigation began: the note's text is on screen. */
  shown?: number;
  /** ms since navigation: a span of the note has an entity colour. */
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
    performance: { now(): number };
  };
  w.__bionerMarks = {};
  const timer = setInterval(() => {
    const marks = w.__bionerMarks;
    const lines = w.document.querySelectorAll('.editor-instance .view-lines');
    if (marks.shown === undefined && Array.from(lines).some((l) => (l.textContent ?? '').includes(args.text))) {
      marks.shown = w.performance.now();
    }
    if (marks.shown === undefined) return;
    const spans = w.document.querySelectorAll('.editor-instance .view-lines span span');
    if (Array.from(spans).some((s) => args.colours.includes(w.getComputedStyle(s).color))) {
      marks.coloured = w.performance.now();
      clearInterval(timer);
    }
  }, 10);
};

async function main(): Promise<void> {
  const entry = codeServerEntry();
  if (!entry) {
    const note = 'n/a: code-server is not installed (bash scripts/setup-e2e.sh)';
    console.log(JSON.stringify({ metric: 'editor: first entity colour after the note is shown (cold window)', value: null, unit: 'ms', target: '<= 2000', note }));
    return;
  }
  const model = process.argv[2] ? resolve(process.argv[2]) : SHIPPED;
  const colours = entityColours();
  const firstLine = readFileSync(join(REPO, 'examples', 'notes', NOTE), 'utf8').split('\n')[0].slice(0, 20);

  const scratch = mkdtempSync(join(tmpdir(), 'bioner-bench-editor-'));
  // VS Code's logs (extension host, the BioNER output channel) stay here, to see where the time went.
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
  const browser = await launchChromium();
  const shown: number[] = [];
  const total: number[] = [];
  try {
    for (let run = 0; run < RUNS; run++) {
      const workspace = makeWorkspace();
      // No bioner.model for the shipped model: the extension's own models/default, as a user gets it.
      writeWorkspaceSettings(workspace, model === SHIPPED ? {} : { 'bioner.model': model });
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      try {
        const page = await context.newPage();
        await page.addInitScript(WATCH_PAGE, { colours, text: firstLine.replace(/ /g, '\u00a0') });
        const { host } = new URL(server.url);
        const payload = JSON.stringify([['openFile', `vscode-remote://${host}${join(workspace, 'notes', NOTE)}`]]);
        await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(payload)}`);
        await page.waitForFunction(() => (globalThis as unknown as { __bionerMarks: Marks }).__bionerMarks.coloured !== undefined, undefined, {
          timeout: 120_000,
          polling: 100,
        });
        const marks: Marks = await page.evaluate(() => (globalThis as unknown as { __bionerMarks: Marks }).__bionerMarks);
        shown.push(marks.coloured! - marks.shown!);
        total.push(marks.coloured!);
        console.error(`run ${run + 1}: note shown at ${Math.round(marks.shown!)} ms, first entity colour at ${Math.round(marks.coloured!)} ms`);
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
  const note = `code-server ${CODE_SERVER_VERSION} + headless Chromium, ${model === SHIPPED ? 'models/default (shipped)' : model}, examples/notes/${NOTE}, median of ${RUNS} fresh windows`;
  const metrics = [
    { metric: 'editor: first entity colour after the note is shown (cold window)', value: Math.round(median(shown)), unit: 'ms', target: '<= 2000', note },
    { metric: 'editor: first entity colour after the window opens (cold window)', value: Math.round(median(total)), unit: 'ms', note },
  ];
  console.log(JSON.stringify({ metrics }));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
