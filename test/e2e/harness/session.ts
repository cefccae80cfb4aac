// One end-to-end session: the packaged extension installed in a fresh code-server, a fresh copy of the test
// workspace, and Chromium showing it. Every e2e suite opens one in `before` and closes it in `after`.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import { codeServerEntry, collectLogs, QUIET_USER_SETTINGS, startCodeServer, type CodeServer } from './codeServer';
import { packageVsix, REPO } from './vsix';
import { CHROMIUM, launchChromium, Workbench } from './workbench';
import { makeWorkspace } from './workspace';

// The default colours contributed in package.json (configurationDefaults), as the browser reports them.
export const DISEASE_RGB = 'rgb(224, 64, 122)'; // #E0407A
export const DRUG_RGB = 'rgb(20, 148, 107)'; // #14946B

const entry = codeServerEntry();

/** Why the e2e suites cannot run here (for `describe(..., { skip })`), or false. */
export const E2E_SKIP: string | false = !entry
  ? 'code-server is not installed: run `bash scripts/setup-e2e.sh` (scripts/test-all.sh does)'
  : !fs.existsSync(CHROMIUM)
    ? `no Chromium at ${CHROMIUM}: run \`bash scripts/setup-e2e.sh\``
    : false;

export interface SessionOptions {
  /** Folder under test-results/ for screenshots and logs (emptied first). */
  name: string;
  /** Added to QUIET_USER_SETTINGS. */
  userSettings?: Record<string, unknown>;
  workspaceTrust?: boolean;
  /** Watch the network into this file (see StartOptions.networkLog). */
  networkLog?: string;
  /** Changes the fresh workspace (from makeWorkspace) before VS Code opens it. */
  prepareWorkspace?: (dir: string) => void;
}

export class E2eSession {
  private constructor(
    readonly results: string,
    readonly workspace: string,
    private readonly vsixDir: string,
    readonly server: CodeServer,
    private readonly browser: Browser,
    readonly workbench: Workbench,
  ) {}

  static async open(options: SessionOptions): Promise<E2eSession> {
    if (!entry) throw new Error(E2E_SKIP || 'code-server is not installed');
    const results = path.join(REPO, 'test-results', options.name);
    fs.rmSync(results, { recursive: true, force: true });
    fs.mkdirSync(results, { recursive: true });
    const vsixDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bioner-vsix-'));
    const vsix = packageVsix(path.join(vsixDir, 'bioner.vsix'));
    const workspace = makeWorkspace();
    options.prepareWorkspace?.(workspace);
    const server = await startCodeServer({
      entry,
      vsix,
      logFile: path.join(results, 'code-server.log'),
      userSettings: { ...QUIET_USER_SETTINGS, ...options.userSettings },
      workspaceTrust: options.workspaceTrust,
      networkLog: options.networkLog,
    });
    let browser: Browser | undefined;
    try {
      browser = await launchChromium();
      const workbench = await Workbench.open(browser, server.url, workspace, results);
      return new E2eSession(results, workspace, vsixDir, server, browser, workbench);
    } catch (error) {
      collectLogs(server, results);
      await browser?.close();
      await server.stop();
      throw error;
    }
  }

  /** Keeps the logs (and a screenshot when `failed`), then stops everything and removes the temporary folders. */
  async close(failed = false): Promise<void> {
    if (failed) await this.workbench.screenshot('failure').catch(() => undefined);
    collectLogs(this.server, this.results);
    await this.browser.close();
    await this.server.stop();
    fs.rmSync(this.workspace, { recursive: true, force: true });
    fs.rmSync(this.vsixDir, { recursive: true, force: true });
  }
}
