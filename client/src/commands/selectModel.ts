// Select Model…: pick a model folder (one with a config.json) and make it the active model.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CONFIG_FILE } from '../../../server/src/model/folder';
import { setModel } from '../config';
import { modelDir, type Bioner } from '../context';

export const id = 'bioner.selectModel';

export function register(bioner: Bioner): vscode.Disposable {
  return vscode.commands.registerCommand(id, async (folder?: vscode.Uri | string) => {
    let dir = typeof folder === 'string' ? folder : folder?.fsPath;
    if (!dir) {
      const picked = await vscode.window.showOpenDialog({
        canSelectFolders: true,
        canSelectFiles: false,
        canSelectMany: false,
        defaultUri: vscode.Uri.file(path.dirname(modelDir(bioner))),
        openLabel: 'Use this model',
        title: 'BioNER: select a model folder',
      });
      dir = picked?.[0]?.fsPath;
    }
    if (!dir) return;
    if (!fs.existsSync(path.join(dir, CONFIG_FILE))) {
      void vscode.window.showErrorMessage(`${dir} is not a BioNER model folder (it has no config.json).`);
      return;
    }
    await setModel(dir);
    void vscode.window.showInformationMessage(`BioNER: now using the model in ${dir}.`);
  });
}
