// Switching the active model (`bioner.model`) with a way back: the value the setting had before a switch is kept in
// the workspace's state, the toast that confirms a switch offers to go back, and Select Model… lists that model first.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CONFIG_FILE, readModelFolderConfig } from '../../server/src/model/folder';
import { modelDirOf, modelSetting, setModel, writtenModel } from './config';
import { modelDir, type Bioner } from './context';

const PREVIOUS = 'bioner.previousModel';

/** What `bioner.model` held before the last switch (null: it was not set, so the fallback model was active). */
interface Remembered {
  value: string | null;
}

/** A model folder and the `bioner.model` value that names it (undefined: the setting removed). */
export interface ModelSetting {
  dir: string;
  value: string | undefined;
}

/** The setting for the model in `dir` (see config.ts's modelSetting). */
export function settingFor(bioner: Bioner, dir: string): ModelSetting {
  return { dir, value: modelSetting(dir, bioner.extension.extensionPath) };
}

/** The model active before the last switch, if it is another one than the active model and still there. */
export function previousModel(bioner: Bioner): ModelSetting | undefined {
  const remembered = bioner.extension.workspaceState.get<Remembered>(PREVIOUS);
  if (!remembered) return undefined;
  const value = remembered.value ?? undefined;
  const dir = modelDirOf(value, bioner.extension.extensionPath);
  return dir === modelDir(bioner) || !fs.existsSync(path.join(dir, CONFIG_FILE)) ? undefined : { dir, value };
}

/** The model's name as the status bar shows it (config.json's "name", else the folder's). */
export function modelName(dir: string): string {
  try {
    return readModelFolderConfig(dir).name;
  } catch {
    return path.basename(dir);
  }
}

/**
 * Makes `model` the active one, remembers the one it replaces, and says so with a button back to it (not awaited: the
 * command is done once the setting is written).
 */
export async function switchModel(bioner: Bioner, model: ModelSetting): Promise<void> {
  const before = writtenModel();
  if (before === model.value) {
    void vscode.window.showInformationMessage(`BioNER: already using ${modelName(model.dir)}.`);
    return;
  }
  await bioner.extension.workspaceState.update(PREVIOUS, { value: before ?? null } satisfies Remembered);
  await setModel(model.value);
  const previous = previousModel(bioner);
  const setting = model.value === undefined ? 'bioner.model removed' : `bioner.model: "${model.value}"`;
  const back = 'Back to the Previous Model';
  const kept = previous ? ` The previous model, ${modelName(previous.dir)}, is kept: Select Model… offers it first.` : '';
  void vscode.window
    .showInformationMessage(`BioNER: now using ${modelName(model.dir)} (${setting}).${kept}`, ...(previous ? [back] : []))
    .then((choice) => (choice === back && previous ? switchModel(bioner, previous) : undefined));
}
