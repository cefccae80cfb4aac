// Annotate Selection as…: offers the server's annotation code actions for the selected text (one per label, e.g.
// "Annotate as DISEASE") in a quick pick and runs the chosen one. The server writes the annotation (a .ann file
// beside the text, atomically), so the client never touches annotation files itself.
import * as vscode from 'vscode';
import { EditAnnotationCommand } from '../../../server/src/lsp/protocol';
import type { Bioner } from '../context';

export const id = 'bioner.annotateSelection';

interface ActionItem extends vscode.QuickPickItem {
  action: vscode.CodeAction;
}

export function register(_bioner: Bioner): vscode.Disposable {
  return vscode.commands.registerCommand(id, async (label?: string) => {
    const editor = vscode.window.activeTextEditor;
    if (!editor || editor.selection.isEmpty) {
      void vscode.window.showInformationMessage('BioNER: select the text to annotate first.');
      return;
    }
    const actions =
      (await vscode.commands.executeCommand<vscode.CodeAction[]>(
        'vscode.executeCodeActionProvider',
        editor.document.uri,
        editor.selection,
      )) ?? [];
    const items: ActionItem[] = actions.filter(isAnnotationAction).map((action) => ({ label: action.title, action }));
    if (!items.length) {
      void vscode.window.showInformationMessage('BioNER: no annotation is possible here (is the file tagged by BioNER?).');
      return;
    }
    const picked =
      label === undefined
        ? await vscode.window.showQuickPick(items, {
            title: `BioNER: annotate "${truncate(editor.document.getText(editor.selection))}" as…`,
          })
        : items.find((i) => new RegExp(`\\b${escapeRegExp(label)}\\b`, 'i').test(i.label));
    if (!picked) return;
    if (picked.action.edit) await vscode.workspace.applyEdit(picked.action.edit);
    const command = picked.action.command;
    if (command) await vscode.commands.executeCommand(command.command, ...(command.arguments ?? []));
  });
}

function isAnnotationAction(action: vscode.CodeAction): boolean {
  return action.command?.command === EditAnnotationCommand || /\bannotat/i.test(action.title);
}

function truncate(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ');
  return oneLine.length > 40 ? `${oneLine.slice(0, 39)}…` : oneLine;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
