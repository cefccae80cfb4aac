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
  /** The current client (replaced by Restart Server). */
  client(): LanguageClient;
  restart(): Promise<void>;
}

export function cliPath(bioner: Bioner): string {
  return bioner.extension.asAbsolutePath(path.join('dist', 'cli.js'));
}

export function modelDir(bioner: Bioner): string {
  return activeModelDir(bioner.extension.extensionPath);
}
