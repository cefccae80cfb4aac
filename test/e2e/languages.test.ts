// A language added to `bioner.languages` is tagged too: the extension activates after start-up (not only on its
// default languages) and starts the server, which loads the model, only when the first document of a tagged language
// opens. Here the tagged languages are LaTeX and clinical notes, and the first document is a LaTeX manuscript.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DISEASE_RGB, DRUG_RGB, E2E_SKIP, E2eSession } from './harness/session';
import { WAIT, type Workbench } from './harness/workbench';
import { LEXICON_MODEL, writeWorkspaceSettings } from './harness/workspace';

/**
 * Command lines of the BioNER language servers this test's code-server started (its extension's dist/server.js, under
 * its own throw-away extensions folder): another VS Code with BioNER on the same machine runs servers too.
 */
function serverProcesses(extensionsDir: string): string[] {
  const out = spawnSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).stdout;
  return out.split('\n').filter((line) => line.includes(`${extensionsDir}${path.sep}`) && /bioner\.bioner-[^/]*\/dist\/server\.js/.test(line));
}

/** A process that looks like another VS Code's BioNER language server (its command line names such a server.js). */
function startDecoyServer(): ChildProcess {
  const script = path.join(os.tmpdir(), 'other-vscode', 'extensions', 'bioner.bioner-0.0.1', 'dist', 'server.js');
  return spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', script, '--node-ipc'], { stdio: 'ignore' });
}

describe('BioNER on a language added to bioner.languages (code-server + Chromium)', { skip: E2E_SKIP, timeout: 300_000 }, () => {
  let session: E2eSession;
  let workbench: Workbench;
  let decoy: ChildProcess;

  before(async () => {
    decoy = startDecoyServer();
    session = await E2eSession.open({
      name: 'e2e-languages',
      prepareWorkspace: (workspace) => {
        writeWorkspaceSettings(workspace, { 'bioner.model': LEXICON_MODEL, 'bioner.languages': ['latex', 'clinical-note'] });
        fs.writeFileSync(path.join(workspace, 'plan.md'), '# Plan\nStart Ivacaftor for cystic fibrosis.\n');
        fs.writeFileSync(
          path.join(workspace, 'manuscript.tex'),
          '\\section{Case}\nA patient with cystic fibrosis was treated with \\emph{Ivacaftor}.\n',
        );
      },
    });
    workbench = session.workbench;
  });

  after(async () => {
    decoy?.kill();
    await session?.close();
  });

  it('loads no model before a tagged document opens, then colours the entities of a .tex file', async () => {
    try {
      // Opening a file activates BioNER (onLanguage:plaintext fires here, or onStartupFinished), but a Markdown file is
      // not tagged in this workspace: the server must not start for it.
      await workbench.openFile('plan.md');
      await workbench.page.waitForTimeout(3000);
      assert.deepEqual(serverProcesses(session.server.extensionsDir), [], 'no language server (and no model) while no tagged document is open');
      await workbench.openFile('manuscript.tex');
      assert.equal(await workbench.waitForColour('cystic fibrosis', DISEASE_RGB), DISEASE_RGB, 'colour of "cystic fibrosis"');
      assert.equal(await workbench.waitForColour('Ivacaftor', DRUG_RGB), DRUG_RGB, 'colour of "Ivacaftor"');
      const item = workbench.statusBarItem(/test-lexicon/);
      await item.waitFor({ timeout: WAIT });
      assert.match(await item.innerText(), /test-lexicon · 2 entities/);
      assert.equal(serverProcesses(session.server.extensionsDir).length, 1);
      await workbench.screenshot('1-latex-entities');
    } catch (error) {
      await workbench.screenshot('failure').catch(() => undefined);
      throw error;
    }
  });
});
