// Runs inside the VS Code extension host (see run.ts): the user-visible behaviour of the extension through the
// vscode API, on the workspace of harness/workspace.ts with the lexicon fixture model.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

export async function run(): Promise<void> {
  const workspace = process.env.BIONER_E2E_WORKSPACE!;
  const failures: string[] = [];
  for (const [name, check] of Object.entries(checks)) {
    try {
      await check(workspace);
      console.log(`ok - ${name}`);
    } catch (error) {
      console.log(`not ok - ${name}\n${(error as Error).stack}`);
      failures.push(name);
    }
  }
  if (failures.length) throw new Error(`${failures.length} check(s) failed: ${failures.join(', ')}`);
}

const checks: Record<string, (workspace: string) => Promise<void>> = {
  'semantic tokens mark cystic fibrosis as disease and Ivacaftor as drug': async (workspace) => {
    const document = await openNote(workspace);
    const tokens = await poll(async () => {
      const all = await semanticTokens(document);
      return all.some((t) => t.type === 'drug') ? all : undefined;
    });
    const typeAt = (text: string) => tokens.find((t) => document.getText(t.range) === text)?.type;
    assert.equal(typeAt('cystic fibrosis'), 'disease');
    assert.equal(typeAt('Ivacaftor'), 'drug');
  },

  'hovering Ivacaftor shows DRUG and a confidence': async (workspace) => {
    const document = await openNote(workspace);
    const position = document.positionAt(document.getText().indexOf('Ivacaftor') + 2);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, position);
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /DRUG/);
    assert.match(text, /\d+(\.\d+)?\s?%|0\.\d+/);
  },

  'uncertain entities are in the Problems panel': async (workspace) => {
    const document = await openNote(workspace);
    const diagnostics = await poll(async () => {
      const found = vscode.languages.getDiagnostics(document.uri);
      return found.length ? found : undefined;
    });
    assert.ok(diagnostics.some((d) => document.getText(d.range) === 'fever'));
    assert.ok(!diagnostics.some((d) => document.getText(d.range) === 'Ivacaftor'));
  },

  'Tag Folder… writes BRAT output and keeps the user .ann': async (workspace) => {
    const notes = path.join(workspace, 'notes');
    const out = `${notes}-bioner`;
    const userAnn = fs.readFileSync(path.join(notes, 'emergency-overdose.ann'), 'utf8');
    await vscode.commands.executeCommand('bioner.tagFolder', { folder: notes, format: 'brat', out });
    const ann = fs.readFileSync(path.join(out, 'cystic-fibrosis-clinic.note.ann'), 'utf8');
    assert.match(ann, /^T\d+\tDRUG \d+ \d+\tIvacaftor$/m);
    assert.equal(fs.readFileSync(path.join(notes, 'emergency-overdose.ann'), 'utf8'), userAnn);
  },
};

async function openNote(workspace: string): Promise<vscode.TextDocument> {
  const document = await vscode.workspace.openTextDocument(path.join(workspace, 'notes', 'cystic-fibrosis-clinic.note'));
  await vscode.window.showTextDocument(document);
  return document;
}

async function semanticTokens(document: vscode.TextDocument): Promise<Array<{ range: vscode.Range; type: string }>> {
  const legend = await vscode.commands.executeCommand<vscode.SemanticTokensLegend>(
    'vscode.provideDocumentSemanticTokensLegend',
    document.uri,
  );
  const tokens = await vscode.commands.executeCommand<vscode.SemanticTokens>('vscode.provideDocumentSemanticTokens', document.uri);
  if (!legend || !tokens) return [];
  // data: 5 integers per token (deltaLine, deltaStartChar, length, tokenType, tokenModifiers), relative to the previous.
  const result: Array<{ range: vscode.Range; type: string }> = [];
  let line = 0;
  let char = 0;
  for (let i = 0; i < tokens.data.length; i += 5) {
    const [deltaLine, deltaChar, length, type] = tokens.data.slice(i, i + 4);
    line += deltaLine;
    char = deltaLine ? deltaChar : char + deltaChar;
    result.push({ range: new vscode.Range(line, char, line, char + length), type: legend.tokenTypes[type] });
  }
  return result;
}

async function poll<T>(probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
