// A language added to `bioner.languages` is tagged too: the extension activates after start-up (not only on its
// default languages) and starts the server, which loads the model, only when the first document of a tagged language
// opens. Here the tagged languages are LaTeX and clinical notes, and the first document is a LaTeX manuscript.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { codeServerEntry, collectLogs, QUIET_USER_SETTINGS, startCodeServer, type CodeServer } from './harness/codeServer';
import { packageVsix, REPO } from './harness/vsix';
import { CHROMIUM, launchChromium, WAIT, Workbench } from './harness/workbench';
import { LEXICON_MODEL, makeWorkspace, writeWorkspaceSettings } from './harness/workspace';

const RESULTS = path.join(REPO, 'test-results', 'e2e-languages');
const DISEASE_RGB = 'rgb(224, 64, 122)'; // #E0407A, as in vscode.test.ts
const DRUG_RGB = 'rgb(20, 148, 107)'; // #14946B

const entry = codeServerEntry();
const skip = !entry
  ? 'code-server is not installed: run `bash scripts/setup-e2e.sh` (scripts/test-all.sh does)'
  : !fs.existsSync(CHROMIUM)
    ? `no Chromium at ${CHROMIUM}: run \`bash scripts/setup-e2e.sh\``
    : false;

/** Command lines of running BioNER language servers (the installed extension's dist/server.js). */
function serverProcesses(): string[] {
  const out = spawnSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).stdout;
  return out.split('\n').filter((line) => /bioner\.bioner-[^/]*\/dist\/server\.js/.test(line));
}

describe('BioNER on a language added to bioner.languages (code-server + Chromium)', { skip, timeout: 300_000 }, () => {
  let server: CodeServer;
  let browser: Browser;
  let workbench: Workbench;
  let workspace: string;
  let vsixDir: string | undefined;

  before(async () => {
    fs.rmSync(RESULTS, { recursive: true, force: true });
    fs.mkdirSync(RESULTS, { recursive: true });
    vsixDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bioner-vsix-'));
    const vsix = packageVsix(path.join(vsixDir, 'bioner.vsix'));
    workspace = makeWorkspace();
    writeWorkspaceSettings(workspace, {
      'bioner.model': LEXICON_MODEL,
      'bioner.languages': ['latex', 'clinical-note'],
    });
    fs.writeFileSync(path.join(workspace, 'plan.md'), '# Plan\nStart Ivacaftor for cystic fibrosis.\n');
    fs.writeFileSync(
      path.join(workspace, 'manuscript.tex'),
      '\\section{Case}\nA patient with cystic fibrosis was treated with \\emph{Ivacaftor}.\n',
    );
    server = await startCodeServer({ entry: entry!, vsix, logFile: path.join(RESULTS, 'code-server.log'), userSettings: QUIET_USER_SETTINGS });
    browser = await launchChromium();
    workbench = await Workbench.open(browser, server.url, workspace, RESULTS);
  });

  after(async () => {
    if (server) collectLogs(server, RESULTS);
    await browser?.close();
    await server?.stop();
    if (workspace) fs.rmSync(workspace, { recursive: true, force: true });
    if (vsixDir) fs.rmSync(vsixDir, { recursive: true, force: true });
  });

  it('loads no model before a tagged document opens, then colours the entities of a .tex file', async () => {
    try {
      // Opening a file activates BioNER (onLanguage:plaintext fires here, or onStartupFinished), but a Markdown file is
      // not tagged in this workspace: the server must not start for it.
      await workbench.openFile('plan.md');
      await workbench.page.waitForTimeout(3000);
      assert.deepEqual(serverProcesses(), [], 'no language server (and no model) while no tagged document is open');
      await workbench.openFile('manuscript.tex');
      assert.equal(await workbench.waitForColour('cystic fibrosis', DISEASE_RGB), DISEASE_RGB, 'colour of "cystic fibrosis"');
      assert.equal(await workbench.waitForColour('Ivacaftor', DRUG_RGB), DRUG_RGB, 'colour of "Ivacaftor"');
      const item = workbench.statusBarItem(/test-lexicon/);
      await item.waitFor({ timeout: WAIT });
      assert.match(await item.innerText(), /test-lexicon · 2 entities/);
      assert.equal(serverProcesses().length, 1);
      await workbench.screenshot('1-latex-entities');
    } catch (error) {
      await workbench.screenshot('failure').catch(() => undefined);
      throw error;
    }
  });
});
