// Starts VS Code for the browser (code-server, installed by scripts/setup-e2e.sh outside the repo) with the BioNER
// .vsix installed, in a throw-away user-data and extensions dir, and stops it again.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO } from './vsix';

export const CODE_SERVER_VERSION = '4.100.3';

/** code-server's entry point, or undefined when scripts/setup-e2e.sh has not been run. */
export function codeServerEntry(): string | undefined {
  const cache = process.env.BIONER_E2E_CACHE ?? path.join(os.homedir(), '.cache', 'bioner-e2e');
  const root = path.join(cache, `code-server-${CODE_SERVER_VERSION}`);
  const entry = path.join(root, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  return fs.existsSync(path.join(root, '.bioner-setup-done')) && fs.existsSync(entry) ? entry : undefined;
}

export interface CodeServer {
  url: string;
  /** Where VS Code keeps its logs (the extension host log holds the BioNER output channel). */
  userDataDir: string;
  /** Where this code-server installed the extension: the command line of every process it starts from there names it. */
  extensionsDir: string;
  stop(): Promise<void>;
}

export interface StartOptions {
  entry: string;
  vsix: string;
  /** VS Code user settings (settings.json of the throw-away profile). */
  userSettings: Record<string, unknown>;
  /** A log of code-server's own output. */
  logFile: string;
  /** Keep VS Code's workspace trust (the folder opens with the trust prompt); off by default. */
  workspaceTrust?: boolean;
  /**
   * Watch the network (scripts/no-network.cjs in every Node process, through NODE_OPTIONS): BioNER's own processes
   * (the installed extension's dist/server.js, dist/cli.js and their worker threads) are blocked; code-server and
   * its extension host only record attempts with their stacks. Records go to this file.
   */
  networkLog?: string;
}

/** The main scripts that no-network.cjs blocks in watch mode: those of the installed BioNER extension. */
export const BIONER_PROCESS = String.raw`bioner\.bioner-[^/\\]+[/\\]dist[/\\]`;

/** User settings for a quiet, predictable workbench. */
export const QUIET_USER_SETTINGS: Record<string, unknown> = {
  'workbench.colorTheme': 'Default Dark Modern',
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.editor.enablePreview': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
  'security.workspace.trust.enabled': false,
  'editor.hover.delay': 200,
  'editor.minimap.enabled': false,
  'files.simpleDialog.enable': true,
};

export async function startCodeServer({ entry, vsix, userSettings, logFile, workspaceTrust, networkLog }: StartOptions): Promise<CodeServer> {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'bioner-e2e-vscode-'));
  const userDataDir = path.join(base, 'user-data');
  const extensionsDir = path.join(base, 'extensions');
  const configFile = path.join(base, 'config.yaml');
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify(userSettings, null, 2));
  fs.writeFileSync(configFile, 'auth: none\ncert: false\n');
  const common = ['--config', configFile, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];

  // The .vsix must install offline: the install runs with every outbound connection blocked and recorded.
  const netLog = path.join(base, 'install-network.log');
  const install = spawnSync(
    process.execPath,
    ['--require', path.join(REPO, 'scripts', 'no-network.cjs'), entry, ...common, '--install-extension', vsix],
    { encoding: 'utf8', env: { ...process.env, BIONER_NET_LOG: netLog } },
  );
  fs.writeFileSync(logFile, `$ code-server --install-extension ${vsix}\n${install.stdout}${install.stderr}\n`);
  if (install.status !== 0) throw new Error(`code-server could not install ${vsix}:\n${install.stdout}${install.stderr}`);
  if (fs.existsSync(netLog)) throw new Error(`installing ${vsix} tried to use the network:\n${fs.readFileSync(netLog, 'utf8')}`);

  const port = await freePort();
  const log = fs.openSync(logFile, 'a');
  const child: ChildProcess = spawn(
    process.execPath,
    [
      entry,
      ...common,
      '--auth', 'none',
      '--bind-addr', `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      ...(workspaceTrust ? [] : ['--disable-workspace-trust']),
      '--disable-getting-started-override',
    ],
    {
      stdio: ['ignore', log, log],
      env: {
        ...process.env,
        VSCODE_PROXY_URI: '',
        ...(networkLog && {
          NODE_OPTIONS: `--require ${path.join(REPO, 'scripts', 'no-network.cjs')}`,
          BIONER_NET_LOG: networkLog,
          BIONER_NET_BLOCK_ONLY: BIONER_PROCESS,
        }),
      },
    },
  );
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(url, child, 60_000);
  return {
    url,
    userDataDir,
    extensionsDir,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            child.kill('SIGKILL');
            resolve();
          }, 5000);
          child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      fs.closeSync(log);
      fs.rmSync(base, { recursive: true, force: true });
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitForHttp(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`code-server exited with code ${child.exitCode}`);
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`code-server did not answer on ${url} within ${timeoutMs / 1000} s`);
}

/** Copies the extension host logs (the BioNER output channel and the language server log) for a failed run. */
export function collectLogs(server: CodeServer, dir: string): void {
  const logs = path.join(server.userDataDir, 'logs');
  if (!fs.existsSync(logs)) return;
  fs.cpSync(logs, path.join(dir, 'vscode-logs'), { recursive: true });
}
