// Open Model Card: the active model's MODEL_CARD.md (what it was trained on, its scores, its limits).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { modelDir, type Bioner } from '../context';

export const id = 'bioner.openModelCard';

export function register(bioner: Bioner): vscode.Disposable {
  return vscode.commands.registerCommand(id, async () => {
    const card = path.join(modelDir(bioner), 'MODEL_CARD.md');
    if (!fs.existsSync(card)) {
      void vscode.window.showWarningMessage(`The active model has no model card (${card} does not exist).`);
      return;
    }
    const document = await vscode.workspace.openTextDocument(vscode.Uri.file(card));
    await vscode.commands.executeCommand('markdown.showPreview', document.uri).then(undefined, () =>
      vscode.window.showTextDocument(document),
    );
  });
}
