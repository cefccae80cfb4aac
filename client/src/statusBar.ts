// The status bar item: "$(beaker) <model> · <n> entities" for the active file, with a spinner while the server is
// tagging or a fine-tuning run is going on. Clicking it shows the entities of the file.
import * as vscode from 'vscode';
import type { StatusParams } from '../../server/src/lsp/protocol';

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('bioner.status', vscode.StatusBarAlignment.Right, 100);
  private readonly counts = new Map<string, number>();
  private readonly busyUris = new Set<string>();
  private readonly tasks = new Map<number, string>();
  private nextTask = 1;
  private modelName = '';
  private problem: string | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor() {
    this.item.name = 'BioNER';
    this.item.command = 'bioner.showEntities';
    this.subscriptions.push(vscode.window.onDidChangeActiveTextEditor(() => this.render()));
    this.subscriptions.push(vscode.workspace.onDidCloseTextDocument((d) => this.counts.delete(d.uri.toString())));
    this.render();
    this.item.show();
  }

  /** A `bioner/status` notification from the server. */
  onServerStatus(status: StatusParams): void {
    this.modelName = status.modelName ?? '';
    this.problem = undefined;
    if (status.uri) {
      if (status.busy) this.busyUris.add(status.uri);
      else this.busyUris.delete(status.uri);
      if (typeof status.entityCount === 'number') this.counts.set(status.uri, status.entityCount);
    }
    this.render();
  }

  /** The server is going away (restart): what it reported (entity counts, busy documents, problems) no longer holds. */
  clearServerStatus(): void {
    this.counts.clear();
    this.busyUris.clear();
    this.problem = undefined;
    this.render();
  }

  /** Shows an error state (e.g. the model could not be loaded) until the next status from the server. */
  setProblem(message: string | undefined): void {
    this.problem = message;
    this.render();
  }

  setModelName(name: string): void {
    this.modelName = name;
    this.render();
  }

  /** Shows the spinner with `label` until the returned function is called. */
  beginTask(label: string): () => void {
    const id = this.nextTask++;
    this.tasks.set(id, label);
    this.render();
    return () => {
      this.tasks.delete(id);
      this.render();
    };
  }

  private render(): void {
    const uri = vscode.window.activeTextEditor?.document.uri.toString();
    const count = uri === undefined ? undefined : this.counts.get(uri);
    const busy = this.tasks.size > 0 || (uri !== undefined && this.busyUris.has(uri));
    const icon = this.problem ? '$(warning)' : busy ? '$(sync~spin)' : '$(beaker)';
    const model = this.modelName || (busy ? 'BioNER' : 'BioNER: no model');
    const entities = count === undefined ? '' : ` · ${count} ${count === 1 ? 'entity' : 'entities'}`;
    const task = [...this.tasks.values()].at(-1);
    this.item.text = `${icon} ${model}${entities}${task ? ` · ${task}` : ''}`;
    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.appendMarkdown(`**BioNER** model: \`${model}\``);
    if (count !== undefined) tooltip.appendMarkdown(`\n\n${count} entities in this file (click to list them)`);
    if (this.problem) tooltip.appendMarkdown(`\n\n$(warning) ${this.problem}`);
    this.item.tooltip = tooltip;
  }

  dispose(): void {
    this.item.dispose();
    for (const s of this.subscriptions) s.dispose();
  }
}
