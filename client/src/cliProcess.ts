// Runs the bundled `bioner` CLI (dist/cli.js) in a separate Node process and streams its `--progress-json` events.
// The extension never does heavy work in the extension host: training and bulk tagging run here, killable.
import { fork } from 'node:child_process';
import * as readline from 'node:readline';
import type * as vscode from 'vscode';

/** One line of `--progress-json` output, e.g. {"event":"epoch","epoch":1,"loss":0.3,"devF1":0.8}. */
export interface CliEvent {
  event: string;
  [key: string]: unknown;
}

export interface CliResult {
  /** The `done` event, if the CLI sent one. */
  done?: CliEvent;
  /** Every event, in order. */
  events: CliEvent[];
}

/** The CLI exited non-zero; `message` is its last stderr line (a user-facing `bioner: ...` message). */
export class CliError extends Error {
  constructor(message: string, readonly exitCode: number | null) {
    super(message);
  }
}

export class CliCancelled extends Error {
  constructor() {
    super('cancelled');
  }
}

export interface RunCliOptions {
  cliPath: string;
  args: string[];
  cwd?: string;
  log: vscode.OutputChannel;
  onEvent?: (event: CliEvent) => void;
  token?: vscode.CancellationToken;
  /** Exit codes that mean success (default [0]); `bioner tag` exits 2 when it finished but skipped some inputs. */
  successCodes?: number[];
}

export function runCli({ cliPath, args, cwd, log, onEvent, token, successCodes = [0] }: RunCliOptions): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    log.appendLine(`$ bioner ${args.map(quoteArg).join(' ')}`);
    // fork() reuses the editor's Node runtime (ELECTRON_RUN_AS_NODE in VS Code, plain Node in code-server).
    const child = fork(cliPath, args, { cwd, silent: true, execArgv: [] });
    const events: CliEvent[] = [];
    let lastError = '';
    let cancelled = false;

    // Events are JSON lines; `bioner train` writes them on stdout, `bioner tag` on stderr (its stdout may be data).
    const onLine = (line: string, isStderr: boolean): void => {
      const event = parseEvent(line);
      if (event) {
        events.push(event);
        onEvent?.(event);
        return;
      }
      if (!line.trim()) return;
      log.appendLine(line);
      if (isStderr) lastError = line.replace(/^bioner:\s*/, '');
    };
    readline.createInterface({ input: child.stdout! }).on('line', (line) => onLine(line, false));
    readline.createInterface({ input: child.stderr! }).on('line', (line) => onLine(line, true));

    const cancel = token?.onCancellationRequested(() => {
      cancelled = true;
      log.appendLine('Cancelled: stopping the bioner process.');
      // SIGINT lets the CLI remove its temporary files (a second one makes it leave at once); SIGKILL if it hangs.
      child.kill('SIGINT');
      setTimeout(() => child.exitCode === null && child.kill('SIGINT'), 1500).unref();
      setTimeout(() => child.exitCode === null && child.kill('SIGKILL'), 5000).unref();
    });

    child.on('error', (error) => {
      cancel?.dispose();
      reject(error);
    });
    child.on('close', (code) => {
      cancel?.dispose();
      if (cancelled) return reject(new CliCancelled());
      if (code === null || !successCodes.includes(code)) return reject(new CliError(lastError || `bioner exited with code ${code}`, code));
      resolve({ done: events.filter((e) => e.event === 'done').at(-1), events });
    });
  });
}

function parseEvent(line: string): CliEvent | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const value = JSON.parse(line) as unknown;
    if (value && typeof value === 'object' && typeof (value as CliEvent).event === 'string') return value as CliEvent;
  } catch {
    // Not an event; logged as text.
  }
  return undefined;
}

function quoteArg(arg: string): string {
  return /^[\w./:=@-]+$/.test(arg) ? arg : JSON.stringify(arg);
}

export function num(event: CliEvent | undefined, key: string): number | undefined {
  const value = event?.[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
