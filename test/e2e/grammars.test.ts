// The TextMate grammars of syntaxes/, tokenized by the same engine VS Code uses (vscode-textmate + oniguruma, taken
// from the code-server install of scripts/setup-e2e.sh; skipped without it).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { codeServerEntry } from './harness/codeServer';
import { REPO } from './harness/vsix';

const entry = codeServerEntry();
const modules = entry && path.join(path.dirname(entry), '..', '..', 'lib', 'vscode', 'node_modules');

/* eslint-disable @typescript-eslint/no-explicit-any -- the engine is loaded at run time from code-server */
type Grammar = { tokenizeLine(line: string, state: any): { tokens: Array<{ startIndex: number; endIndex: number; scopes: string[] }>; ruleStack: any } };

const GRAMMARS: Record<string, string> = {
  'text.clinical-note': 'clinical-note.tmLanguage.json',
  'source.brat-ann': 'brat-ann.tmLanguage.json',
  'source.conll': 'conll.tmLanguage.json',
};

describe('TextMate grammars', { skip: modules ? false : 'code-server is not installed: run `bash scripts/setup-e2e.sh`' }, () => {
  const grammars = new Map<string, Grammar>();

  before(async () => {
    const textmate = require(path.join(modules!, 'vscode-textmate')) as any;
    const oniguruma = require(path.join(modules!, 'vscode-oniguruma')) as any;
    const wasm = fs.readFileSync(path.join(modules!, 'vscode-oniguruma', 'release', 'onig.wasm'));
    await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
    const registry = new textmate.Registry({
      onigLib: Promise.resolve({
        createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
        createOnigString: (s: string) => new oniguruma.OnigString(s),
      }),
      loadGrammar: async (scope: string) => {
        const file = GRAMMARS[scope];
        if (!file) return null;
        const full = path.join(REPO, 'syntaxes', file);
        return textmate.parseRawGrammar(fs.readFileSync(full, 'utf8'), full);
      },
    });
    for (const scope of Object.keys(GRAMMARS)) grammars.set(scope, await registry.loadGrammar(scope));
  });

  /** The scopes of the first token covering `text` in `line`. */
  function scopesOf(scope: string, line: string, text: string): string[] {
    const at = line.indexOf(text);
    assert.ok(at >= 0, `"${text}" in "${line}"`);
    const { tokens } = grammars.get(scope)!.tokenizeLine(line, null);
    const token = tokens.find((t) => t.startIndex <= at && at < t.endIndex)!;
    assert.equal(line.slice(token.startIndex, token.endIndex).trim(), text, `one token for "${text}"`);
    return token.scopes;
  }

  it('clinical notes: section headers, list markers, placeholders, vitals and doses', () => {
    const s = 'text.clinical-note';
    assert.ok(scopesOf(s, 'HISTORY OF PRESENT ILLNESS:', 'HISTORY OF PRESENT ILLNESS').includes('markup.heading.section.clinical-note'));
    assert.ok(scopesOf(s, 'Assessment and Plan: stable', 'Assessment and Plan').includes('markup.heading.section.clinical-note'));
    const vitals = 'VITALS: BP 112/70 mmHg, HR 78, SpO2 98%.';
    assert.ok(scopesOf(s, vitals, 'BP').includes('support.variable.vital-sign.clinical-note'));
    assert.ok(scopesOf(s, vitals, '112/70').includes('constant.numeric.vital-value.clinical-note'));
    assert.ok(scopesOf(s, vitals, 'SpO2').includes('support.variable.vital-sign.clinical-note'));
    const dose = 'Ivacaftor 150 mg PO BID with food.';
    assert.ok(scopesOf(s, dose, '150').includes('constant.numeric.dose.clinical-note'));
    assert.ok(scopesOf(s, dose, 'mg').includes('keyword.other.unit.dose.clinical-note'));
    assert.ok(scopesOf(s, dose, 'BID').includes('keyword.other.frequency.clinical-note'));
    assert.deepEqual(scopesOf(s, dose, 'Ivacaftor'), ['text.clinical-note'], 'drug names are left to the semantic tokens');
    assert.ok(scopesOf(s, 'Past medical history:', 'Past medical history').includes('markup.heading.section.clinical-note'));
    assert.deepEqual(scopesOf(s, 'She had a fever: mild.', 'She had a fever: mild.'), ['text.clinical-note'], 'a sentence is not a header');
    assert.ok(scopesOf(s, 'pmh: htn, dm2', 'pmh').includes('markup.heading.section.clinical-note'), 'a known abbreviated heading, lower case');
    assert.ok(scopesOf(s, 'IMPRESSION', 'IMPRESSION').includes('markup.heading.section.clinical-note'), 'a known heading alone, no colon');
    assert.ok(scopesOf(s, '2) lasix 40 mg IV', '2)').includes('markup.list.marker.clinical-note'));
    assert.ok(scopesOf(s, '- ASA 81 mg', '-').includes('markup.list.marker.clinical-note'));
    assert.deepEqual(scopesOf(s, '1.5 mg', '1.5'), ['text.clinical-note', 'constant.numeric.dose.clinical-note'], 'a decimal is not a list marker');
    const deidentified = 'Mr. **NAME[ZZZ] seen at [**Hospital1 18**] on **DATE[Mar 24 2008].';
    for (const placeholder of ['**NAME[ZZZ]', '[**Hospital1 18**]', '**DATE[Mar 24 2008]']) {
      assert.ok(scopesOf(s, deidentified, placeholder).includes('variable.other.placeholder.deidentified.clinical-note'), placeholder);
    }
  });

  it('BRAT standoff: ids, labels, offsets, text, and invalid lines', () => {
    const s = 'source.brat-ann';
    const line = 'T1\tDisease 0 5;10 15\tcystic fibrosis';
    assert.ok(scopesOf(s, line, 'T1').includes('variable.other.id.textbound.brat-ann'));
    assert.ok(scopesOf(s, line, 'Disease').includes('entity.name.type.label.brat-ann'));
    assert.ok(scopesOf(s, line, '10').includes('constant.numeric.offset.brat-ann'));
    assert.ok(scopesOf(s, line, 'cystic fibrosis').includes('string.unquoted.covered-text.brat-ann'));
    assert.ok(scopesOf(s, 'R1\tTreats Arg1:T2 Arg2:T1', 'Treats').includes('entity.name.function.relation-type.brat-ann'));
    assert.ok(scopesOf(s, '#1\tAnnotatorNotes T1\tcheck', '#1\tAnnotatorNotes T1\tcheck').includes('comment.line.annotator-note.brat-ann'));
    assert.ok(scopesOf(s, 'T2 Disease 0 5 fever', 'T2 Disease 0 5 fever').includes('invalid.illegal.line.brat-ann'), 'spaces for tabs');
  });

  it('CoNLL: tokens, tag prefixes and labels, O tags', () => {
    const s = 'source.conll';
    assert.ok(scopesOf(s, 'fibrosis\tNN\tI-Disease', 'I').includes('keyword.operator.tag-prefix.conll'));
    assert.ok(scopesOf(s, 'fibrosis\tNN\tI-Disease', 'Disease').includes('entity.name.type.label.conll'));
    assert.ok(scopesOf(s, 'fibrosis\tNN\tI-Disease', 'fibrosis').includes('string.unquoted.token.conll'));
    assert.ok(scopesOf(s, 'with O', 'O').includes('comment.other.outside-tag.conll'));
    assert.ok(scopesOf(s, '-DOCSTART- -X- O O', '-DOCSTART- -X- O O').includes('meta.preprocessor.document-start.conll'));
  });
});
