// Tag Folder…: tags every text file of a folder with the active model in a separate `bioner tag` process and writes
// the results (JSONL, BRAT or CoNLL) into another folder, `<folder>-bioner` by default.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CliCancelled, CliError, num, runCli } from '../cliProcess';
import type { TagFormat } from '../config';
import { cliPath, modelDir, type Bioner } from '../context';
import { claimOutputFolder, outputFolderProblem } from '../outputFolder';

export const id = 'bioner.tagFolder';

/** Arguments for scripted use (tests, other extensions); missing ones are asked for. */
export interface TagFolderArgs {
  folder?: string;
  format?: TagFormat;
  out?: string;
}

const formats: Array<vscode.QuickPickItem & { format: TagFormat }> = [
  { label: 'JSONL', description: 'one JSON document per line, character offsets', format: 'jsonl' },
  { label: 'BRAT', description: 'standoff .ann files beside copies of the texts', format: 'brat' },
  { label: 'CoNLL', description: 'one token per line with IOB2 tags', format: 'conll' },
];

export function register(bioner: Bioner): vscode.Disposable {
  return vscode.commands.registerCommand(id, async (args?: TagFolderArgs | vscode.Uri) => {
    const given: TagFolderArgs = args instanceof vscode.Uri ? { folder: args.fsPath } : (args ?? {});
    const folder = given.folder ?? (await pickFolder());
    if (!folder) return;
    const format = given.format ?? (await vscode.window.showQuickPick(formats, { title: 'BioNER: output format' }))?.format;
    if (!format) return;
    const out = given.out ?? (await pickOutput(folder));
    if (!out) return;
    const problem = outputFolderProblem(folder, out);
    if (problem) {
      void vscode.window.showErrorMessage(`BioNER: cannot write the results there: ${problem}. Choose an empty folder.`);
      return;
    }
    await tagFolder(bioner, folder, format, out);
  });
}

async function pickFolder(): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({
    canSelectFolders: true,
    canSelectFiles: false,
    canSelectMany: false,
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
    openLabel: 'Tag this folder',
    title: 'BioNER: folder to tag',
  });
  return picked?.[0]?.fsPath;
}

async function pickOutput(folder: string): Promise<string | undefined> {
  const suggested = `${folder.replace(/[\\/]+$/, '')}-bioner`;
  const choice = await vscode.window.showQuickPick(
    [
      { label: `$(folder) ${path.basename(suggested)}`, description: suggested, out: suggested },
      { label: '$(folder-opened) Choose another folder…', out: undefined },
    ],
    { title: 'BioNER: where to write the results' },
  );
  if (!choice) return undefined;
  if (choice.out) return choice.out;
  const picked = await vscode.window.showOpenDialog({
    canSelectFolders: true,
    canSelectFiles: false,
    canSelectMany: false,
    openLabel: 'Write results here',
    title: 'BioNER: output folder',
  });
  return picked?.[0]?.fsPath;
}

async function tagFolder(bioner: Bioner, folder: string, format: TagFormat, out: string): Promise<void> {
  const model = modelDir(bioner);
  claimOutputFolder(out, { source: folder, format, model });
  const endTask = bioner.statusBar.beginTask('tagging folder');
  let summary: string | undefined;
  try {
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `BioNER: tagging ${path.basename(folder)}`, cancellable: true },
      (progress, token) => {
        let reported = 0;
        return runCli({
          cliPath: cliPath(bioner),
          args: ['tag', folder, '--model', model, '--out', out, '--format', format, '--progress-json'],
          log: bioner.output,
          token,
          successCodes: [0, 2], // 2: done, some files skipped (listed in the summary)
          onEvent: (event) => {
            if (event.event === 'skipped') bioner.output.appendLine(`skipped ${event.file}: ${event.reason}`);
            const done = num(event, 'done');
            const total = num(event, 'total');
            if (event.event !== 'progress' || done === undefined || !total) return;
            const percent = (100 * done) / total;
            progress.report({ message: `${done} / ${total} documents`, increment: percent - reported });
            reported = percent;
          },
        });
      },
    );
    summary = describeSummary(result.done?.summary as TagSummary | undefined);
  } catch (error) {
    if (error instanceof CliCancelled) {
      void vscode.window.showWarningMessage(`BioNER: tagging cancelled; files already written stay in ${out}.`);
    } else {
      void vscode.window.showErrorMessage(`BioNER: tagging failed: ${(error as Error).message}`);
      if (!(error instanceof CliError)) bioner.output.appendLine(String((error as Error).stack));
    }
  } finally {
    endTask();
  }
  if (summary === undefined) return;
  bioner.output.appendLine(`Tagged ${folder} -> ${out} (${format}): ${summary}`);
  const action = await vscode.window.showInformationMessage(
    `BioNER: tagged ${path.basename(folder)}: ${summary}. ${format.toUpperCase()} written to ${out}.`,
    'Open Folder in New Window',
  );
  if (action) await vscode.commands.executeCommand('vscode.openFolder', vscode.Uri.file(out), { forceNewWindow: true });
}

/** The `summary` of the CLI's `done` event (server/src/bulk/summary.ts), as far as the message needs it. */
interface TagSummary {
  documents?: number;
  entities?: Record<string, number>;
  written?: number;
  upToDate?: number;
  skipped?: Array<{ file: string; reason: string }>;
}

function describeSummary(s: TagSummary | undefined): string {
  if (!s) return 'done';
  const entities = Object.entries(s.entities ?? {}).sort(([a], [b]) => a.localeCompare(b));
  const total = entities.reduce((n, [, c]) => n + c, 0);
  const parts = [`${s.documents ?? 0} documents`, `${total} entities`];
  if (entities.length) parts[1] += ` (${entities.map(([l, c]) => `${l} ${c}`).join(', ')})`;
  parts.push(`${s.written ?? 0} files written`);
  if (s.upToDate) parts.push(`${s.upToDate} already up to date`);
  if (s.skipped?.length) parts.push(`${s.skipped.length} skipped (see the BioNER output)`);
  return parts.join(', ');
}
