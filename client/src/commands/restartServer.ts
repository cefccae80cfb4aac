import * as vscode from 'vscode';
import type { Bioner } from '../context';

export const id = 'bioner.restartServer';

export function register(bioner: Bioner): vscode.Disposable {
  return vscode.commands.registerCommand(id, async () => {
    bioner.output.appendLine('Restarting the BioNER language server.');
    await bioner.restart();
  });
}
