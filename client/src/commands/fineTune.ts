// Fine-tune on Workspace Annotations: trains a copy of the active model on the workspace's annotated files in a
// separate `bioner train` process, reports F1 on a held-out part before and after, and saves the result under
// .bioner/models/<timestamp>/. The active model is only read; a cancelled or failed run leaves no model behind.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CONFIG_FILE, readModelFolderConfig } from '../../../server/src/model/folder';
import { annotationTypes, classifyAnnotatedFiles, documentsOf, formatLabelMap, labelChoices, splitHeldOut, stageDocuments } from '../annotatedFiles';
import { parseLabelMap } from '../../../server/src/model/labels';
import { CliCancelled, CliError, num, runCli, type CliEvent } from '../cliProcess';
import { annotationGlob, fineTuneEpochs, fineTuneLabelMap, fineTuneMaxMinutes, heldOutFraction, setFineTuneLabelMap } from '../config';
import { cliPath, modelDir, type Bioner } from '../context';
import { settingFor, switchModel } from '../modelSwitch';
import type { HeldOutReport } from '../../../server/src/train/heldOutReport';
import { TEACH_TRAIN_ARGS } from '../../../server/src/train/teachArgs';

export const id = 'bioner.fineTune';

const EXCLUDE = '{**/node_modules/**,**/.bioner/**,**/.git/**,**/*-bioner/**}';

export function register(bioner: Bioner): vscode.Disposable {
  return vscode.commands.registerCommand(id, async () => {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage('BioNER: fine-tuning is available in trusted workspaces only.');
      return;
    }
    const folder = await pickWorkspaceFolder();
    if (!folder) return;
    const trained = await train(bioner, folder);
    if (trained) await offerNewModel(bioner, trained);
  });
}

async function pickWorkspaceFolder(): Promise<vscode.WorkspaceFolder | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 0) {
    void vscode.window.showInformationMessage('BioNER: open a folder with annotated files to fine-tune on it.');
    return undefined;
  }
  if (folders.length === 1) return folders[0];
  return vscode.window.showWorkspaceFolderPick({ placeHolder: 'BioNER: fine-tune on the annotations of…' });
}

interface TrainedModel {
  finalDir: string;
  summary: string;
}

/** Trains the model; undefined when there was nothing to train on, or the run failed or was cancelled (reported). */
async function train(bioner: Bioner, folder: vscode.WorkspaceFolder): Promise<TrainedModel | undefined> {
  const root = folder.uri.fsPath;
  const found = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, annotationGlob()), EXCLUDE);
  const { files, skipped } = classifyAnnotatedFiles(found.map((u) => u.fsPath));
  for (const s of skipped) bioner.output.appendLine(`Fine-tune: skipping ${s.file}: ${s.reason}`);
  const docs = documentsOf(files);
  const { train, heldOut } = splitHeldOut(docs, heldOutFraction());
  if (heldOut.length === 0) {
    void vscode.window.showWarningMessage(
      `BioNER: fine-tuning needs at least two annotated documents (found ${docs.length} matching "${annotationGlob()}").`,
    );
    return;
  }

  const initModel = modelDir(bioner);
  const { kind, labels: modelLabels } = modelInfo(initModel);
  if (kind !== 'neural') {
    void vscode.window.showWarningMessage(
      kind === undefined
        ? `BioNER: there is no model to fine-tune in ${initModel}. Choose one with "BioNER: Select Model…".`
        : `BioNER: the active model is a ${kind} model; fine-tuning needs a neural one. Choose one with "BioNER: Select Model…".`,
    );
    return;
  }
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  const modelsDir = path.join(root, '.bioner', 'models');
  const finalDir = uniqueDir(path.join(modelsDir, stamp));
  // Everything of the run lives in one scratch folder until it succeeds; only then is the model moved into place.
  const work = path.join(root, '.bioner', 'runs', path.basename(finalDir));
  const trainDir = path.join(work, 'train');
  const heldOutDir = path.join(work, 'held-out');
  const outDir = path.join(work, 'model');
  const labelMap = await chooseLabelMap(annotationTypes(docs), modelLabels);
  if (labelMap === undefined) return;
  const endTask = bioner.statusBar.beginTask('fine-tuning');
  const run = new RunProgress();
  try {
    fs.rmSync(work, { recursive: true, force: true });
    stageDocuments(train, root, trainDir);
    stageDocuments(heldOut, root, heldOutDir);
    bioner.output.appendLine(
      `Fine-tune: ${train.length} training and ${heldOut.length} held-out documents from ${files.length} files; init ${initModel}`,
    );
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'BioNER: fine-tuning', cancellable: true },
      (progress, token) => {
        progress.report({ message: `${train.length} documents, ${heldOut.length} held out: reading data…` });
        return runCli({
          cliPath: cliPath(bioner),
          args: [
            'train',
            '--init-model', initModel,
            '--train', trainDir,
            '--dev', heldOutDir,
            '--out', outDir,
            '--name', `finetuned-${path.basename(finalDir)}`,
            '--epochs', String(fineTuneEpochs()),
            ...TEACH_TRAIN_ARGS,
            '--max-minutes', String(fineTuneMaxMinutes()),
            ...(labelMap ? ['--label-map', labelMap] : []),
            '--progress-json',
          ],
          cwd: root,
          log: bioner.output,
          token,
          onEvent: (event) => {
            const message = run.update(event);
            if (message) progress.report({ message });
          },
        });
      },
    );
    if (!fs.existsSync(path.join(outDir, CONFIG_FILE))) throw new Error('the training run wrote no model');
    fs.mkdirSync(modelsDir, { recursive: true });
    fs.renameSync(outDir, finalDir);
    return { finalDir, summary: heldOutSummary(result.done?.heldOut as HeldOutReport | undefined, heldOut.length) };
  } catch (error) {
    if (error instanceof CliCancelled) {
      void vscode.window.showInformationMessage('BioNER: fine-tuning cancelled; no model was saved.');
    } else {
      void vscode.window.showErrorMessage(`BioNER: fine-tuning failed: ${(error as Error).message}`);
      if (!(error instanceof CliError)) bioner.output.appendLine(String((error as Error).stack));
    }
    return undefined;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
    endTask();
  }
}

/**
 * Tells the user how the run went and offers to switch to the new model (the active one is left as it is; after a
 * switch the toast and Select Model… offer it again).
 */
async function offerNewModel(bioner: Bioner, { finalDir, summary }: TrainedModel): Promise<void> {
  bioner.output.appendLine(`Fine-tune: saved ${finalDir}. ${summary}`);
  const use = 'Use the New Model';
  const choice = await vscode.window.showInformationMessage(
    `BioNER: fine-tuned model saved in .bioner/models/${path.basename(finalDir)}. ${summary}.`,
    use,
    'Keep the Current Model',
  );
  if (choice === use) await switchModel(bioner, settingFor(bioner, finalDir));
}

/** Turns the `bioner train --progress-json` events into the progress message and the before/after scores. */
class RunProgress {
  private maxEpochs: number | undefined;
  private initialF1: number | undefined;
  private lastEpoch: CliEvent | undefined;

  update(event: CliEvent): string | undefined {
    switch (event.event) {
      case 'start':
        this.maxEpochs = num(event, 'epochs');
        return undefined;
      case 'initial':
        this.initialF1 = num(event, 'devF1');
        return `held-out F1 before: ${formatF1(this.initialF1)}`;
      case 'progress': {
        const done = num(event, 'done');
        const total = num(event, 'total');
        const batch = done !== undefined && total ? ` · ${Math.round((100 * done) / total)}%` : '';
        return `${this.epochLabel(num(event, 'epoch'))}${batch}${this.scoreLabel()}`;
      }
      case 'epoch': {
        this.lastEpoch = event;
        const loss = num(event, 'loss');
        return `${this.epochLabel(num(event, 'epoch'))} done${loss === undefined ? '' : ` · loss ${loss.toFixed(3)}`}${this.scoreLabel()}`;
      }
      default:
        return undefined;
    }
  }

  private epochLabel(epoch: number | undefined): string {
    return `epoch ${epoch ?? '?'}${this.maxEpochs ? `/${this.maxEpochs}` : ''}`;
  }

  private scoreLabel(): string {
    const f1 = num(this.lastEpoch, 'devF1');
    if (f1 === undefined) return '';
    return ` · held-out F1 ${formatF1(f1)}${this.initialF1 === undefined ? '' : ` (before ${formatF1(this.initialF1)})`}`;
  }
}

/**
 * What the held-out part says, honestly: F1 only on the labels both models know and only with enough entities, and
 * how many of the names the old model missed the new one finds.
 */
export function heldOutSummary(report: HeldOutReport | undefined, documents: number): string {
  if (!report) return `no score on the ${documents} held-out document${documents === 1 ? '' : 's'}`;
  const scores = report.measurable
    ? `F1 on ${report.sharedLabels.join(', ')}: ${formatF1(report.f1Before)} before, ${formatF1(report.f1After)} after`
    : `too few to measure F1`;
  const found = report.missedBefore ? `; found ${report.foundAfter} of the ${report.missedBefore} the old model missed` : '';
  return `${report.heldOutEntities} held-out ${report.heldOutEntities === 1 ? 'entity' : 'entities'}: ${scores}${found}`;
}

function formatF1(f1: number | undefined): string {
  return f1 === undefined ? 'n/a' : `${(100 * f1).toFixed(1)}%`;
}

/**
 * The `kind` of the model in `dir` ("neural" when config.json does not say; undefined without a readable config) and
 * its entity labels.
 */
function modelInfo(dir: string): { kind?: string; labels: string[] } {
  try {
    const { kind, raw } = readModelFolderConfig(dir);
    return { kind, labels: (raw.labels as { types?: string[] } | undefined)?.types ?? [] };
  } catch {
    return { labels: [] };
  }
}

interface LabelItem extends vscode.QuickPickItem {
  target: string;
}

/**
 * Before training, each workspace type the model does not know is mapped to one of its labels, taught as a new label,
 * or left out, in a quick pick per type (a label matching ignoring case is proposed first). The choice is saved to
 * bioner.fineTune.labelMap, so it is asked once. Undefined when the user cancels.
 */
async function chooseLabelMap(types: string[], modelLabels: string[]): Promise<string | undefined> {
  const saved = fineTuneLabelMap();
  const map = new Map(parseLabelMap(saved));
  const choices = labelChoices(types, modelLabels, map);
  for (const { type, proposed } of choices) {
    const items: LabelItem[] = [
      ...(proposed ? [{ label: proposed, description: 'the model\'s label (proposed: same name)', target: proposed }] : []),
      { label: `New label: ${type}`, description: 'teach the model a label it does not have', target: type },
      ...modelLabels.filter((l) => l !== proposed).map((l) => ({ label: l, description: 'the model\'s label', target: l })),
      { label: 'Leave out', description: `train without the ${type} annotations`, target: 'O' },
    ];
    const picked = await vscode.window.showQuickPick(items, {
      title: `BioNER: the workspace's "${type}" annotations are, for the model (${modelLabels.join(', ') || 'no labels'})…`,
      ignoreFocusOut: true,
    });
    if (!picked) return undefined;
    if (picked.target !== type) map.set(type, picked.target);
    else map.set(type, type); // a new label, on purpose: not asked again
  }
  const chosen = formatLabelMap(new Map([...map].filter(([from, to]) => from !== to)));
  const asked = formatLabelMap(map);
  if (choices.length && asked !== saved) await setFineTuneLabelMap(asked);
  return chosen;
}

function uniqueDir(dir: string): string {
  let candidate = dir;
  for (let i = 2; fs.existsSync(candidate); i++) candidate = `${dir}-${i}`;
  return candidate;
}
