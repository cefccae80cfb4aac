// Show Entities in File: the server's document symbols (one per entity) in a quick pick; choosing one jumps to it.
import * as vscode from 'vscode';
import type { Bioner } from '../context';

export const id = 'bioner.showEntities';

interface EntityItem extends vscode.QuickPickItem {
  range: vscode.Range;
}

export function register(bioner: Bioner): vscode.Disposable {
  return vscode.commands.registerCommand(id, async () => {
    const editor = vscode.window.activeTextEditor;
    if (!editor) {
      void vscode.window.showInformationMessage('BioNER: open a text file to list its entities.');
      return;
    }
    // Right after activation or Restart Server the client may still be starting, with no symbol provider yet.
    await bioner.ready();
    const symbols =
      (await vscode.commands.executeCommand<Array<vscode.DocumentSymbol | vscode.SymbolInformation>>(
        'vscode.executeDocumentSymbolProvider',
        editor.document.uri,
      )) ?? [];
    const items = flatten(symbols).sort((a, b) => a.range.start.compareTo(b.range.start));
    if (!items.length) {
      void vscode.window.showInformationMessage('BioNER: no entities found in this file.');
      return;
    }
    const picked = await vscode.window.showQuickPick(items, {
      title: `BioNER: ${items.length} entities in ${vscode.workspace.asRelativePath(editor.document.uri)}`,
      placeHolder: 'Type to filter by text or label',
      matchOnDescription: true,
      matchOnDetail: true,
    });
    if (!picked) return;
    editor.selection = new vscode.Selection(picked.range.start, picked.range.end);
    editor.revealRange(picked.range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  });
}

/** Entities may come as a flat list or grouped under a parent (e.g. by label or section); list the leaves. */
function flatten(symbols: Array<vscode.DocumentSymbol | vscode.SymbolInformation>): EntityItem[] {
  return symbols.flatMap((s): EntityItem[] => {
    if ('children' in s && s.children?.length) return flatten(s.children);
    const range = 'selectionRange' in s ? s.selectionRange : s.location.range;
    const line = range.start.line + 1;
    return [{ label: s.name, description: 'detail' in s ? s.detail : s.containerName, detail: `line ${line}`, range }];
  });
}
