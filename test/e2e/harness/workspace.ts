// The workspace the end-to-end tests open: a fresh temporary copy, so the tests never change repository files.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO } from './vsix';

export const LEXICON_MODEL = path.join(REPO, 'test', 'fixtures', 'models', 'lexicon');

/** notes/ (the example notes and one hand-made .ann), annotated/ (six BRAT documents), .vscode/settings.json. */
export function makeWorkspace(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bioner-e2e-ws-'));
  fs.cpSync(path.join(REPO, 'examples', 'notes'), path.join(dir, 'notes'), { recursive: true });
  fs.cpSync(path.join(REPO, 'test', 'e2e', 'workspace', 'annotated'), path.join(dir, 'annotated'), { recursive: true });
  // A hand-made annotation beside a note: Tag Folder… must never touch it.
  const overdose = fs.readFileSync(path.join(dir, 'notes', 'emergency-overdose.note'), 'utf8');
  const at = overdose.indexOf('Naloxone');
  fs.writeFileSync(path.join(dir, 'notes', 'emergency-overdose.ann'), `T1\tDRUG ${at} ${at + 8}\tNaloxone\n`);
  fs.mkdirSync(path.join(dir, '.vscode'));
  writeWorkspaceSettings(dir, { 'bioner.model': LEXICON_MODEL, 'bioner.diagnostics': 'uncertain' });
  return dir;
}

export function writeWorkspaceSettings(dir: string, settings: Record<string, unknown>): void {
  fs.writeFileSync(path.join(dir, '.vscode', 'settings.json'), JSON.stringify(settings, null, 2));
}
