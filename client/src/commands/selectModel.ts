// Select Model…: the previous model (the way back after a switch), the active one, the shipped one and the models
// fine-tuned into the workspace's .bioner/models/, or any model folder (one with a config.json) through Browse….
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CONFIG_FILE, shippedModelDir } from '../../../server/src/model/folder';
import { modelDir, type Bioner } from '../context';
import { modelName, previousModel, settingFor, switchModel, type ModelSetting } from '../modelSwitch';

export const id = 'bioner.selectModel';

interface ModelItem extends vscode.QuickPickItem {
  /** Undefined: Browse…. */
  model?: ModelSetting;
}

export function register(bioner: Bioner): vscode.Disposable {
  return vscode.commands.registerCommand(id, async (folder?: vscode.Uri | string) => {
    let dir = typeof folder === 'string' ? folder : folder?.fsPath;
    if (!dir) {
      const picked = await vscode.window.showQuickPick(modelItems(bioner), {
        title: 'BioNER: the model to tag with',
        matchOnDescription: true,
        matchOnDetail: true,
      });
      if (!picked) return;
      if (picked.model) return switchModel(bioner, picked.model);
      dir = await browse(bioner);
    }
    if (!dir) return;
    if (!fs.existsSync(path.join(dir, CONFIG_FILE))) {
      void vscode.window.showErrorMessage(`${dir} is not a BioNER model folder (it has no config.json).`);
      return;
    }
    await switchModel(bioner, settingFor(bioner, dir));
  });
}

/** The previous model first, then the active and the shipped one, the workspace's fine-tuned models (newest first). */
function modelItems(bioner: Bioner): ModelItem[] {
  const active = modelDir(bioner);
  const previous = previousModel(bioner);
  const shipped = shippedModelDir(bioner.extension.extensionPath);
  const candidates: ModelSetting[] = [
    ...(previous ? [previous] : []),
    settingFor(bioner, active),
    settingFor(bioner, shipped),
    ...workspaceModels().map((dir) => settingFor(bioner, dir)),
  ];
  const items: ModelItem[] = [];
  const listed = new Set<string>();
  for (const model of candidates) {
    if (listed.has(model.dir) || !fs.existsSync(path.join(model.dir, CONFIG_FILE))) continue;
    listed.add(model.dir);
    const roles = [
      model === previous && 'previous model (before the last switch)',
      model.dir === active && 'active',
      model.dir === shipped && 'shipped with BioNER',
    ].filter(Boolean);
    items.push({ label: modelName(model.dir), description: roles.join(' · '), detail: model.dir, model });
  }
  items.push({ label: '$(folder-opened) Browse…', description: 'a model folder (one with a config.json)' });
  return items;
}

/** Model folders under each workspace folder's .bioner/models/ (where fine-tuning saves them), newest first. */
function workspaceModels(): string[] {
  return (vscode.workspace.workspaceFolders ?? []).flatMap((folder) => {
    const models = path.join(folder.uri.fsPath, '.bioner', 'models');
    const names = fs.existsSync(models) ? fs.readdirSync(models) : [];
    // Their names are the time they were saved (yyyymmdd-hhmmss): newest first.
    return names.sort().reverse().map((name) => path.join(models, name));
  });
}

async function browse(bioner: Bioner): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({
    canSelectFolders: true,
    canSelectFiles: false,
    canSelectMany: false,
    defaultUri: vscode.Uri.file(path.dirname(modelDir(bioner))),
    openLabel: 'Use this model',
    title: 'BioNER: select a model folder',
  });
  return picked?.[0]?.fsPath;
}
