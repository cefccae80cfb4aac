// Reads the `bioner.*` settings. The model path is the one setting that can make us load files from disk, so in an
// untrusted workspace only the user-level value counts (package.json also lists it in restrictedConfigurations).
import * as os from 'node:os';
import { resolve } from 'node:path';
import * as vscode from 'vscode';
import { modelPathSetting, resolveModelPath, shippedModelDir } from '../../server/src/model/folder';

export const SECTION = 'bioner';

export type TagFormat = 'jsonl' | 'brat' | 'conll';

export function settings(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration(SECTION);
}

/** A `bioner.*` setting; VS Code fills in package.json's default, the one place defaults are written. */
function setting<T>(key: string): T {
  return settings().get<T>(key) as T;
}

/** Language ids the server is attached to (`bioner.languages`). */
export function documentLanguages(): string[] {
  return setting<string[]>('languages');
}

export function annotationGlob(): string {
  return setting<string>('annotationGlob');
}

export function heldOutFraction(): number {
  const f = setting<number>('fineTune.heldOutFraction');
  return Math.min(0.5, Math.max(0.05, f));
}

export function fineTuneEpochs(): number {
  return Math.max(1, Math.round(setting<number>('fineTune.epochs')));
}

export function fineTuneMaxMinutes(): number {
  return Math.max(0.1, setting<number>('fineTune.maxMinutes'));
}

/** `bioner.fineTune.labelMap`, for `bioner train --label-map` (empty: none). */
export function fineTuneLabelMap(): string {
  return setting<string>('fineTune.labelMap').trim();
}

/** Saves `bioner.fineTune.labelMap` for the workspace (the mapping chosen before fine-tuning). */
export async function setFineTuneLabelMap(map: string): Promise<void> {
  await settings().update('fineTune.labelMap', map, vscode.ConfigurationTarget.Workspace);
}

/**
 * The `bioner.model` value that may be used: the effective value in a trusted workspace, only the user (global)
 * value in an untrusted one. Empty means "the model shipped with the extension".
 */
export function configuredModel(): string {
  const inspected = settings().inspect<string>('model');
  const value = vscode.workspace.isTrusted
    ? (inspected?.workspaceFolderValue ?? inspected?.workspaceValue ?? inspected?.globalValue)
    : inspected?.globalValue;
  return (value ?? '').trim();
}

/** The folder relative `bioner.model` values are resolved against: the first workspace folder (trusted only). */
function modelBase(): string {
  // In an untrusted workspace even a user-level relative path must not reach into the workspace.
  const folder = vscode.workspace.isTrusted ? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath : undefined;
  return folder ?? os.homedir();
}

/**
 * Absolute directory of the active model: `bioner.model` resolved against the first workspace folder (the home folder
 * in an untrusted workspace), or the shipped model.
 */
export function activeModelDir(extensionPath: string): string {
  return resolveModelPath(configuredModel(), modelBase(), extensionPath);
}

/** Where Select Model… and Use the New Model write `bioner.model`: the workspace when one is open, else the user. */
function modelTarget(): vscode.ConfigurationTarget {
  return vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
}

/** `bioner.model` as written where setModel writes it (undefined: not set there). */
export function writtenModel(): string | undefined {
  const inspected = settings().inspect<string>('model');
  return modelTarget() === vscode.ConfigurationTarget.Workspace ? inspected?.workspaceValue : inspected?.globalValue;
}

/** The model directory `bioner.model` would name if setModel wrote `value` (undefined: removed). */
export function modelDirOf(value: string | undefined, extensionPath: string): string {
  const fallback = modelTarget() === vscode.ConfigurationTarget.Workspace ? settings().inspect<string>('model')?.globalValue : undefined;
  return resolveModelPath(value ?? fallback, modelBase(), extensionPath);
}

/**
 * The `bioner.model` value naming `dir`: relative to the first workspace folder when inside it; none at all for the
 * shipped model when removing the value falls back to it.
 */
export function modelSetting(dir: string, extensionPath: string): string | undefined {
  if (resolve(dir) === shippedModelDir(extensionPath)) return modelDirOf(undefined, extensionPath) === resolve(dir) ? undefined : '';
  return modelPathSetting(dir, vscode.workspace.workspaceFolders?.[0]?.uri.fsPath);
}

/**
 * Sets `bioner.model` (undefined removes it): in the workspace when one is open (a fine-tuned model belongs to its
 * workspace), else for the user.
 */
export async function setModel(value: string | undefined): Promise<void> {
  await settings().update('model', value, modelTarget());
}
