// What every command needs: the running client, the status bar, the log, and where the extension lives.
import * as path from 'node:path';
import type * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { activeModelDir } from './config';
import type { StatusBar } from './statusBar';

export interface Bioner {
  readonly extension: vscode.ExtensionContext;
  readonly output: vscode.OutputChannel;
  readonly statusBar: StatusBar;
  /** The current client (replaced by Restart Server; possibly still starting, or stopped during a restart). */
  client(): LanguageClient;
  /**
   * The client once the latest start or restart is done: its providers are registered and the open documents sent
   * to the server. Before that, VS Code's provider commands (e.g. vscode.executeDocumentSymbolProvider) find no BioNER
   * provider and answer nothing.
   */
  ready(): Promise<LanguageClient>;
  restart(): Promise<void>;
}

export function cliPath(bioner: Bioner): string {
  return bioner.extension.asAbsolutePath(path.join('dist', 'cli.js'));
}

export function modelDir(bioner: Bioner): string {
  return activeModelDir(bioner.extension.extensionPath);
}
