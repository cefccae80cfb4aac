// Mark Document as Fully Annotated: tells the language server that every entity of the active document is in its
// sidecar .ann, so fine-tuning reads the rest of the text as "no entity" and the Problems panel reports every
// disagreement. Until then a sidecar the editor started is a partial review (only what the user marked is known).
import * as vscode from 'vscode';
import { MarkReviewedCommand, type MarkReviewedParams } from '../../../server/src/lsp/protocol';
import type { Bioner } from '../context';

export const id = 'bioner.markFullyAnnotated';

export function register(_bioner: Bioner): vscode.Disposable {
  return vscode.commands.registerCommand(id, async (uri?: vscode.Uri) => {
    const target = uri ?? vscode.window.activeTextEditor?.document.uri;
    if (!target || target.scheme !== 'file') {
      void vscode.window.showInformationMessage('BioNER: open a saved document to mark it as fully annotated.');
      return;
    }
    const params: MarkReviewedParams = { uri: target.toString(), complete: true };
    await vscode.commands.executeCommand(MarkReviewedCommand, params);
    void vscode.window.setStatusBarMessage('BioNER: document marked as fully annotated', 3000);
  });
}
