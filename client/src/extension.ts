// BioNER extension entry point: starts the language server, the status bar and the commands. All work happens in
// the server (tagging) or in separate CLI processes (training, bulk tagging); this file only wires them together.
// The extension activates on the default languages and after start-up (so a language added to `bioner.languages`
// works too), but starts the server (which loads the model) only once a document of a tagged language is open or a
// command needs it.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { createClient } from './client';
import { documentLanguages } from './config';
import { commands } from './commands';
import type { Bioner } from './context';
import {
  ReloadModelMethod,
  StatusMethod,
  type ReloadModelResult,
  type StatusParams,
} from '../../server/src/lsp/protocol';
import { StatusBar } from './statusBar';

let client: LanguageClient | undefined;
/** The latest start or restart of the client (never rejects): what needs the server waits for it; unset until then. */
let starting: Promise<void> | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<Bioner> {
  // A log channel: every line carries its time (ms), so the log says where a slow start-up went (the editor bench
  // reads it: bench/lsp-editor-startup.ts).
  const output = vscode.window.createOutputChannel('BioNER', { log: true });
  const statusBar = new StatusBar();
  context.subscriptions.push(output, statusBar);

  const start = async (): Promise<void> => {
    client = createClient(context, output);
    client.onNotification(StatusMethod, (status: StatusParams) => statusBar.onServerStatus(status));
    try {
      const started = Date.now();
      output.appendLine('starting the language server');
      await client.start();
      output.appendLine(`language server started in ${Date.now() - started} ms`);
    } catch (error) {
      statusBar.setProblem(`the language server did not start: ${(error as Error).message}`);
      output.appendLine(`The language server did not start: ${(error as Error).stack}`);
    }
  };

  const bioner: Bioner = {
    extension: context,
    output,
    statusBar,
    client: () => client!,
    ready: async () => {
      await startOnce();
      return client!;
    },
    // Restarts run one after another. Until the new client is running, VS Code has no BioNER providers (symbols,
    // hover) and the old server's status no longer holds: the status bar says so, and commands wait (ready()).
    restart: () => {
      if (!starting) return startOnce();
      starting = starting.then(async () => {
        const end = statusBar.beginTask('restarting server');
        statusBar.clearServerStatus();
        try {
          await client?.stop().catch(() => undefined);
          await start();
        } finally {
          end();
        }
      });
      return starting;
    },
  };

  setLanguagesContext();
  for (const command of commands) context.subscriptions.push(command.register(bioner));

  context.subscriptions.push(
    // The server itself follows `bioner.*` changes (including bioner.model) through workspace/didChangeConfiguration.
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration('bioner.languages')) {
        setLanguagesContext();
        if (starting) await bioner.restart();
        else startWhenNeeded();
      }
    }),
    // Trusting the workspace may make its `bioner.model` setting count, with no configuration change to signal it.
    vscode.workspace.onDidGrantWorkspaceTrust(() => reloadModel(bioner)),
  );

  /** Starts the client the first time only; later calls wait for that start (or the latest restart). */
  const startOnce = (): Promise<void> => (starting ??= start());
  const tagged = (document: vscode.TextDocument): boolean => documentLanguages().includes(document.languageId);
  /** Starts the server now if a document of a tagged language is open, else when the first one opens. */
  const startWhenNeeded = (): void => {
    if (vscode.workspace.textDocuments.some(tagged)) {
      void startOnce();
      return;
    }
    const opened = vscode.workspace.onDidOpenTextDocument((document) => {
      if (!tagged(document)) return;
      opened.dispose();
      void startOnce();
    });
    context.subscriptions.push(opened);
  };

  startWhenNeeded();
  await starting;
  return bioner;
}

/** For `when` clauses in package.json (`resourceLangId in bioner.languages`). */
function setLanguagesContext(): void {
  void vscode.commands.executeCommand('setContext', 'bioner.languages', documentLanguages());
}

/** Asks the running server to load the model named by the (resolved) `bioner.model` setting, even if unchanged. */
export async function reloadModel(bioner: Bioner): Promise<void> {
  const end = bioner.statusBar.beginTask('loading model');
  try {
    const client = await bioner.ready();
    const result = await client.sendRequest<ReloadModelResult>(ReloadModelMethod, {});
    if (result?.error) throw new Error(result.error);
    if (result?.modelName) bioner.statusBar.setModelName(result.modelName);
  } catch (error) {
    const message = (error as Error).message;
    bioner.statusBar.setProblem(message);
    void vscode.window.showErrorMessage(`BioNER: could not load the model: ${message}`);
  } finally {
    end();
  }
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
