// The extension's file-level helpers (no VS Code needed): which annotated files fine-tuning uses and how it holds
// part of them out, and where Tag Folder… may write.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { annotationTypes, classifyAnnotatedFiles, documentsOf, formatLabelMap, labelChoices, splitHeldOut, stageDocuments } from '../../client/src/annotatedFiles';
import { claimOutputFolder, outputFolderProblem } from '../../client/src/outputFolder';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'bioner-client-'));
}

function write(file: string, content: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  return file;
}

describe('annotated files for fine-tuning', () => {
  it('pairs .ann files with their text and skips orphans and bioner tag outputs', () => {
    const root = tempDir();
    const ann = write(path.join(root, 'a.ann'), 'T1\tDRUG 0 7\taspirin\n');
    write(path.join(root, 'a.txt'), 'aspirin');
    // One sidecar per document: n.note's is n.note.ann, so n.txt beside it (no .ann of its own) is not paired with it.
    const noteAnn = write(path.join(root, 'n.note.ann'), 'T1\tDISEASE 0 5\tfever\n');
    write(path.join(root, 'n.note'), 'fever');
    write(path.join(root, 'n.txt'), 'another text');
    const orphan = write(path.join(root, 'b.ann'), '');
    const output = write(path.join(root, 'o.ann'), '# bioner: written by "bioner tag"; a new run may overwrite this file\n');
    write(path.join(root, 'o.txt'), 'aspirin');
    const conll = write(path.join(root, 'c.conll'), 'aspirin B-DRUG\n');
    const { files, skipped } = classifyAnnotatedFiles([orphan, conll, ann, ann, noteAnn, output, path.join(root, 'a.txt')]);
    assert.deepEqual(files, [
      { kind: 'brat', file: ann, text: path.join(root, 'a.txt') },
      { kind: 'conll', file: conll },
      { kind: 'brat', file: noteAnn, text: path.join(root, 'n.note') },
    ]);
    assert.deepEqual(skipped.map((s) => s.file), [orphan, output]);
    assert.match(skipped[0].reason, /no text beside it/);
    assert.match(skipped[1].reason, /bioner tag/);
  });

  it('counts every non-blank JSONL line as a document', () => {
    const root = tempDir();
    const jsonl = write(path.join(root, 'docs.jsonl'), '{"id":"1"}\n\n{"id":"2"}\r\n{"id":"3"}\n');
    const docs = documentsOf([{ kind: 'jsonl', file: jsonl }]);
    assert.deepEqual(docs.map((d) => d.line), [0, 2, 3]);
  });

  it('holds out about a fifth, at least one, never all, the same way every time', () => {
    const docs = Array.from({ length: 11 }, (_, i) => ({ key: `doc-${i}` }));
    const first = splitHeldOut(docs, 0.2);
    assert.equal(first.heldOut.length, 2);
    assert.equal(first.train.length + first.heldOut.length, 11);
    assert.deepEqual(splitHeldOut([...docs].reverse(), 0.2).heldOut.map((d) => d.key).sort(), first.heldOut.map((d) => d.key).sort());
    assert.equal(splitHeldOut(docs.slice(0, 2), 0.2).heldOut.length, 1);
    assert.equal(splitHeldOut(docs.slice(0, 2), 0.9).train.length, 1);
    assert.deepEqual(splitHeldOut(docs.slice(0, 1), 0.2), { train: docs.slice(0, 1), heldOut: [] });
  });

  it('labels: the workspace types the model lacks are asked about, a same-name label ignoring case proposed', () => {
    const root = tempDir();
    const ann = write(path.join(root, 'a.ann'), 'T1\tDisease 0 5\tfever\nT2\tSYMPTOM 6 10\tcold\n');
    write(path.join(root, 'a.txt'), 'fever cold');
    const jsonl = write(path.join(root, 'd.jsonl'), '{"text":"aspirin","entities":[{"start":0,"end":7,"label":"Chemical"}]}\n');
    const conll = write(path.join(root, 'c.conll'), 'aspirin\tB-DRUG\nfever\tB-Finding\n');
    const types = annotationTypes(documentsOf(classifyAnnotatedFiles([ann, jsonl, conll]).files));
    assert.deepEqual(types, ['Chemical', 'DRUG', 'Disease', 'Finding', 'SYMPTOM']);
    const choices = labelChoices(types, ['DISEASE', 'DRUG'], new Map([['Chemical', 'DRUG']]));
    assert.deepEqual(choices, [{ type: 'Disease', proposed: 'DISEASE' }, { type: 'Finding', proposed: undefined }, { type: 'SYMPTOM', proposed: undefined }]);
    assert.equal(formatLabelMap(new Map([['Chemical', 'DRUG'], ['Disease', 'DISEASE']])), 'Chemical=DRUG,Disease=DISEASE');
  });

  it('sizes the held-out part by entities, not documents', () => {
    // One document holds most of the entities: holding out a fifth of the documents would hold out most entities.
    const docs = [{ key: 'big', entities: 80 }, ...Array.from({ length: 9 }, (_, i) => ({ key: `small-${i}`, entities: 2 }))];
    const { heldOut } = splitHeldOut(docs, 0.2);
    const held = heldOut.reduce((n, d) => n + d.entities, 0);
    assert.ok(!heldOut.some((d) => d.key === 'big'), 'the document with most entities stays in training');
    assert.ok(Math.abs(held - 0.2 * 98) <= 2, `held out ${held} of 98 entities`);
  });

  it('adding a document does not move the others between the parts', () => {
    const docs = Array.from({ length: 30 }, (_, i) => ({ key: `doc-${i}` }));
    const before = new Set(splitHeldOut(docs, 0.2).heldOut.map((d) => d.key));
    const after = splitHeldOut([...docs, { key: 'doc-new' }], 0.2);
    const moved = after.train.filter((d) => before.has(d.key));
    assert.ok(moved.length <= 1, `at most the one displaced by rounding moves, got ${moved.length}`);
  });

  it('stages copies (BRAT pairs whole, JSONL by line) and leaves the originals alone', () => {
    const root = tempDir();
    const ann = write(path.join(root, 'sub', 'a.ann'), 'T1\tDRUG 0 7\taspirin\n');
    write(path.join(root, 'sub', 'a.txt'), 'aspirin');
    const jsonl = write(path.join(root, 'docs.jsonl'), 'one\ntwo\nthree\n');
    write(path.join(root, 'n.note'), 'fever');
    const noteAnn = write(path.join(root, 'n.note.ann'), 'T1\tDISEASE 0 5\tfever\n');
    const docs = documentsOf(classifyAnnotatedFiles([ann, jsonl, noteAnn]).files);
    const out = path.join(root, '.bioner', 'stage');
    stageDocuments(docs.filter((d) => d.line !== 1), root, out);
    assert.equal(fs.readFileSync(path.join(out, 'sub', 'a.txt'), 'utf8'), 'aspirin');
    assert.equal(fs.readFileSync(path.join(out, 'sub', 'a.ann'), 'utf8'), 'T1\tDRUG 0 7\taspirin\n');
    assert.equal(fs.readFileSync(path.join(out, 'docs.jsonl'), 'utf8'), 'one\nthree\n');
    assert.equal(fs.readFileSync(path.join(out, 'n.note.txt'), 'utf8'), 'fever', 'texts are staged as .txt, as bioner train reads BRAT');
    assert.equal(fs.readFileSync(path.join(out, 'n.note.ann'), 'utf8'), 'T1\tDISEASE 0 5\tfever\n');
    fs.writeFileSync(path.join(out, 'sub', 'a.ann'), 'changed');
    assert.equal(fs.readFileSync(ann, 'utf8'), 'T1\tDRUG 0 7\taspirin\n', 'a copy, not a link');
  });
});

describe('Tag Folder… output folder', () => {
  it('accepts a new or empty folder, or one BioNER wrote before', () => {
    const root = tempDir();
    const input = path.join(root, 'notes');
    fs.mkdirSync(input);
    assert.equal(outputFolderProblem(input, path.join(root, 'notes-bioner')), undefined);
    fs.mkdirSync(path.join(root, 'empty'));
    assert.equal(outputFolderProblem(input, path.join(root, 'empty')), undefined);
    const previous = path.join(root, 'previous');
    claimOutputFolder(previous, { source: input, format: 'brat' });
    write(path.join(previous, 'a.ann'), 'T1\tDRUG 0 7\taspirin\n');
    assert.equal(outputFolderProblem(input, previous), undefined);
  });

  it('refuses the input folder, a folder inside it, and a folder of the user', () => {
    const root = tempDir();
    const input = path.join(root, 'notes');
    fs.mkdirSync(input);
    assert.match(outputFolderProblem(input, input) ?? '', /is the input folder/);
    assert.match(outputFolderProblem(input, path.join(input, 'out')) ?? '', /inside the input folder/);
    const theirs = path.join(root, 'gold');
    write(path.join(theirs, 'a.ann'), 'T1\tDISEASE 0 5\tfever\n');
    assert.match(outputFolderProblem(input, theirs) ?? '', /did not write/);
    assert.equal(outputFolderProblem(input, path.join(root, 'notes-bioner')), undefined, 'a sibling with a common prefix is fine');
  });
});
