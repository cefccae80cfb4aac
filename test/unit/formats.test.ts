import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { UserError } from '../../server/src/errors';
import { documentToSentences, sentencesToDocument } from '../../server/src/formats/alignment';
import { writeFileAtomicSync } from '../../server/src/files/atomicWrite';
import { editAnn, formatAnn, parseAnn, readBrat, updateAnnFile, writeBrat } from '../../server/src/formats/brat';
import { formatConll, parseConll } from '../../server/src/formats/conll';
import { readCorpus, detectInputFormat } from '../../server/src/formats/corpus';
import { decodeText } from '../../server/src/formats/inputText';
import { formatJsonl, parseJsonl } from '../../server/src/formats/jsonl';
import { parsePubtator } from '../../server/src/formats/pubtator';
import { convertTags, detectScheme, spansToTags, tagsToSpans } from '../../server/src/formats/tagSchemes';

const fixtures = join(__dirname, '..', 'fixtures');
const formatsDir = join(fixtures, 'formats');
const badDir = join(fixtures, 'bad');
const scratch = mkdtempSync(join(tmpdir(), 'bioner-formats-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** Asserts that `fn` throws a UserError whose message matches all `patterns`. */
function assertUserError(fn: () => unknown, ...patterns: RegExp[]): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof UserError, `expected a UserError, got ${String(error)}`);
    for (const p of patterns) assert.match(error.message, p);
    return true;
  });
}

describe('tag schemes', () => {
  it('decodes IOB2 and repairs I-X after O as a new entity, like conlleval', () => {
    const { spans, repairs } = tagsToSpans(['O', 'I-X', 'I-X', 'O', 'B-Y', 'I-X'], 'iob2');
    assert.deepEqual(spans, [
      { start: 1, end: 3, label: 'X' },
      { start: 4, end: 5, label: 'Y' },
      { start: 5, end: 6, label: 'X' },
    ]);
    assert.deepEqual(repairs.map((r) => r.index), [1, 5]);
  });
  it('decodes IOB1 without repairs; B-X separates adjacent entities of one type', () => {
    const { spans, repairs } = tagsToSpans(['I-X', 'I-X', 'B-X', 'O', 'I-Y'], 'iob1');
    assert.deepEqual(spans, [
      { start: 0, end: 2, label: 'X' },
      { start: 2, end: 3, label: 'X' },
      { start: 4, end: 5, label: 'Y' },
    ]);
    assert.deepEqual(repairs, []);
  });
  it('decodes BIOES and BILOU, repairing unclosed entities', () => {
    assert.deepEqual(tagsToSpans(['B-X', 'I-X', 'E-X', 'S-Y', 'U-Y', 'B-Z', 'L-Z'], 'bioes').spans, [
      { start: 0, end: 3, label: 'X' },
      { start: 3, end: 4, label: 'Y' },
      { start: 4, end: 5, label: 'Y' },
      { start: 5, end: 7, label: 'Z' },
    ]);
    const repaired = tagsToSpans(['B-X', 'O', 'E-X'], 'bioes');
    assert.deepEqual(repaired.spans, [{ start: 0, end: 1, label: 'X' }, { start: 2, end: 3, label: 'X' }]);
    assert.equal(repaired.repairs.length, 2);
  });
  it('encodes spans in each scheme', () => {
    const spans = [{ start: 0, end: 2, label: 'X' }, { start: 2, end: 3, label: 'X' }, { start: 4, end: 5, label: 'Y' }];
    assert.deepEqual(spansToTags(spans, 5, 'iob2'), ['B-X', 'I-X', 'B-X', 'O', 'B-Y']);
    assert.deepEqual(spansToTags(spans, 5, 'iob1'), ['I-X', 'I-X', 'B-X', 'O', 'I-Y']);
    assert.deepEqual(spansToTags(spans, 5, 'bioes'), ['B-X', 'E-X', 'S-X', 'O', 'S-Y']);
    assert.throws(() => spansToTags([{ start: 0, end: 2, label: 'X' }, { start: 1, end: 3, label: 'Y' }], 3), /overlap/);
  });
  it('detects the scheme', () => {
    assert.equal(detectScheme([['B-X', 'I-X', 'O']]), 'iob2');
    assert.equal(detectScheme([['I-X', 'I-X', 'B-X', 'O', 'I-Y']]), 'iob1');
    assert.equal(detectScheme([['I-X', 'O', 'B-X']]), 'iob2'); // B after O: IOB2 with a broken entity
    assert.equal(detectScheme([['B-X', 'E-X', 'S-Y']]), 'bioes');
    assert.equal(detectScheme([['O', 'O']]), 'iob2');
  });
  it('round-trips any valid span set through every scheme (property)', () => {
    const spanSets = fc
      .array(fc.record({ length: fc.integer({ min: 1, max: 3 }), gap: fc.integer({ min: 0, max: 2 }), label: fc.constantFrom('A', 'B') }), { maxLength: 6 })
      .map((parts) => {
        let position = 0;
        const spans = parts.map((p) => {
          position += p.gap;
          const span = { start: position, end: position + p.length, label: p.label };
          position += p.length;
          return span;
        });
        return { spans, length: position + 1 };
      });
    fc.assert(
      fc.property(spanSets, ({ spans, length }) => {
        for (const scheme of ['iob1', 'iob2', 'bioes'] as const) {
          const decoded = tagsToSpans(spansToTags(spans, length, scheme), scheme);
          assert.deepEqual(decoded.spans, spans);
          assert.deepEqual(decoded.repairs, []);
        }
        assert.deepEqual(convertTags(spansToTags(spans, length, 'iob1'), 'iob1', 'iob2'), spansToTags(spans, length, 'iob2'));
      }),
    );
  });
});

describe('CoNLL', () => {
  it('reads documents, sentences and IOB2 tags', () => {
    const { documents, scheme, warnings } = readCorpusTokens(join(formatsDir, 'iob2.conll'));
    assert.equal(scheme, 'iob2');
    assert.deepEqual(warnings, []);
    assert.deepEqual(documents.map((d) => d.id), ['doc1', 'doc2']);
    assert.deepEqual(documents[0].sentences[1].tokens, ['Parkinson', "'", 's', 'disease', '(', 'PD', ')']);
    assert.equal(documents[0].sentences[1].line, 10);
    assert.deepEqual(documents[1].sentences[0].tags, ['B-Chemical', 'O', 'B-Chemical', 'B-Chemical', 'I-Chemical', 'I-Chemical', 'O']);
  });
  it('reads space-separated IOB1 with extra columns and normalises to IOB2', () => {
    const { documents, scheme } = readCorpusTokens(join(formatsDir, 'iob1.conll'));
    assert.equal(scheme, 'iob1');
    assert.deepEqual(documents[0].sentences[1].tags, ['B-LOC', 'B-LOC', 'O', 'B-Protein', 'B-Protein']);
    assert.deepEqual(documents[0].sentences[1].tokens, ['Bonn', 'Paris', 'and', 'IL-2', 'IL-4']);
  });
  it('reads BIOES and writes BIOES back identically', () => {
    const content = readFileSync(join(formatsDir, 'bioes.conll'), 'utf8');
    const parsed = parseConll(content, 'bioes.conll');
    assert.equal(parsed.scheme, 'bioes');
    assert.deepEqual(parsed.documents[0].sentences[0].tags, ['B-Disease', 'I-Disease', 'O', 'B-Chemical', 'O']);
    assert.equal(formatConll(parsed.documents, { scheme: 'bioes' }), content);
  });
  it('warns (with the line) about I-X after O in a declared IOB2 file', () => {
    const parsed = parseConll('a\tO\nb\tI-X\n', 'f.conll', 'iob2');
    assert.deepEqual(parsed.documents[0].sentences[0].tags, ['O', 'B-X']);
    assert.equal(parsed.warnings.length, 1);
    assert.equal(parsed.warnings[0].line, 2);
    assert.match(parsed.warnings[0].message, /I-X after O/);
  });
  it('writes what it reads (IOB2, with document ids)', () => {
    const content = readFileSync(join(formatsDir, 'iob2.conll'), 'utf8');
    assert.equal(formatConll(parseConll(content, 'x').documents), content);
  });
  it('rejects malformed files naming the file and line', () => {
    assertUserError(() => readCorpus(join(badDir, 'missing-tag.conll')), /missing-tag\.conll:2:/, /missing tag column/);
    assertUserError(() => readCorpus(join(badDir, 'unknown-tag.conll')), /unknown-tag\.conll:2:/, /unknown tag "X-Foo"/);
    assertUserError(() => readCorpus(join(badDir, 'binary.conll')), /binary\.conll:2:/, /NUL byte/);
    assertUserError(() => readCorpus(join(badDir, 'latin1.conll')), /latin1\.conll:2:/, /UTF-8/);
  });
});

function readCorpusTokens(path: string) {
  const { corpus, warnings } = readCorpus(path);
  assert.equal(corpus.kind, 'tokens');
  if (corpus.kind !== 'tokens') throw new Error('unreachable');
  return { documents: corpus.documents, scheme: corpus.scheme, warnings };
}

describe('JSONL', () => {
  it('reads and writes documents, keeping confidence', () => {
    const content = readFileSync(join(formatsDir, 'sample.jsonl'), 'utf8');
    const documents = parseJsonl(content, 'sample.jsonl');
    assert.equal(documents.length, 3);
    assert.deepEqual(documents[0].entities[1], { start: 20, end: 29, label: 'Chemical', confidence: 0.93 });
    assert.equal(documents[2].text.slice(16, 23), 'aspirin'); // UTF-16 offsets, after a surrogate pair
    assert.equal(formatJsonl(documents), content);
  });
  it('gives documents without an id their line number', () => {
    assert.equal(parseJsonl('\n{"text":"x","entities":[]}\n', 'f')[0].id, '2');
  });
  it('rejects malformed lines naming the file and line', () => {
    assertUserError(() => readCorpus(join(badDir, 'invalid-json.jsonl')), /invalid-json\.jsonl:2:/, /invalid JSON/);
    assertUserError(() => readCorpus(join(badDir, 'past-end.jsonl')), /past-end\.jsonl:1:/, /past the end of the text \(5 characters\)/);
    assertUserError(() => readCorpus(join(badDir, 'bad-offsets.jsonl')), /bad-offsets\.jsonl:1:/, /bad offsets 7-4/);
    assertUserError(() => readCorpus(join(badDir, 'overlap.jsonl')), /overlap\.jsonl:1:/, /overlaps/);
    assertUserError(() => parseJsonl('[1,2]\n', 'f.jsonl'), /f\.jsonl:1: expected a JSON object/);
    assertUserError(() => parseJsonl('{"text":"ab","entities":[{"start":0,"end":1}]}\n', 'f.jsonl'), /"label"/);
    assertUserError(() => parseJsonl('{"id":"a","text":"x"}\n{"id":"a","text":"y"}\n', 'f.jsonl'), /f\.jsonl:2: duplicate document id "a"/);
  });
});

describe('BRAT', () => {
  const txt = readFileSync(join(formatsDir, 'brat', 'case1.txt'), 'utf8');
  const ann = readFileSync(join(formatsDir, 'brat', 'case1.ann'), 'utf8');

  it('reads entities with code-point offsets converted to UTF-16, skipping discontinuous ones with a warning', () => {
    const { entities, warnings } = parseAnn(ann, txt, 'case1.ann');
    assert.deepEqual(
      entities.map((e) => [e.id, e.label, txt.slice(e.start, e.end)]),
      [['T1', 'Disease', 'Cystic fibrosis'], ['T2', 'Chemical', 'ivacaftor'], ['T3', 'Chemical', 'aspirin']],
    );
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0].line, 6);
    assert.match(warnings[0].message, /T4 is discontinuous/);
  });
  it('adds and removes T lines keeping every other line byte for byte', () => {
    const aspirin = txt.indexOf('aspirin');
    const lung = txt.indexOf('lung');
    const result = editAnn(ann, txt, { removeIds: ['T2'], add: [{ start: lung, end: lung + 4, label: 'Organ' }] }, 'case1.ann');
    assert.deepEqual(result.addedIds, ['T5']);
    assert.deepEqual(result.removedIds, ['T2']);
    const expected = ann.split('\n').filter((l) => !l.startsWith('T2\t')).join('\n') + 'T5\tOrgan 71 75\tlung\n';
    assert.equal(result.content, expected);
    // Offsets written in code points: "aspirin" is after the emoji, so its brat offset is one less than in JS.
    const added = editAnn('', txt, { add: [{ start: aspirin, end: aspirin + 7, label: 'Chemical' }] }, 'x.ann');
    assert.equal(added.content, `T1\tChemical ${aspirin - 1} ${aspirin + 6}\taspirin\n`);
  });
  it('keeps CRLF line endings and a missing final newline when editing', () => {
    const crlf = 'T1\tDisease 0 6\tCystic\r\n#1\tAnnotatorNotes T1\tnote';
    const result = editAnn(crlf, 'Cystic fibrosis', { add: [{ start: 7, end: 15, label: 'Disease' }] }, 'x.ann');
    assert.equal(result.content, 'T1\tDisease 0 6\tCystic\r\n#1\tAnnotatorNotes T1\tnote\r\nT2\tDisease 7 15\tfibrosis\r\n');
  });
  it('updates a sidecar .ann atomically, creating it if needed', () => {
    const annPath = join(scratch, 'sidecar.ann');
    const text = 'Aspirin helps.';
    updateAnnFile(annPath, text, { add: [{ start: 0, end: 7, label: 'Chemical' }] });
    writeFileSync(annPath, readFileSync(annPath, 'utf8') + '#1\tAnnotatorNotes T1\tuser note\n');
    updateAnnFile(annPath, text, { remove: (e) => e.label === 'Chemical' });
    assert.equal(readFileSync(annPath, 'utf8'), '#1\tAnnotatorNotes T1\tuser note\n');
    assert.deepEqual(readdirSync(scratch).filter((f) => f.endsWith('.tmp')), []);
  });
  it('writes and reads back directories of pairs', () => {
    const out = join(scratch, 'brat-out');
    const documents = [
      { id: 'a', text: 'Cystic fibrosis 😀 and aspirin.', entities: [{ start: 0, end: 15, label: 'Disease' }, { start: 23, end: 30, label: 'Chemical' }] },
      { id: 'sub/b', text: 'Nothing.', entities: [] },
    ];
    writeBrat(out, documents);
    assert.equal(readFileSync(join(out, 'a.ann'), 'utf8'), formatAnn(documents[0].text, documents[0].entities));
    assert.deepEqual(readBrat(out).documents, documents);
    assert.deepEqual(readBrat(join(out, 'a.txt')).documents, [documents[0]]);
  });
  it('rejects mismatching text, offsets past the end, overlaps and malformed lines', () => {
    assertUserError(() => readBrat(join(badDir, 'brat-mismatch')), /doc\.ann:1:/, /text mismatch for T1/);
    assertUserError(() => readBrat(join(badDir, 'brat-past-end')), /doc\.ann:1:/, /past the end/);
    assertUserError(() => readBrat(join(badDir, 'brat-overlap')), /doc\.ann:2:/, /overlaps/);
    assertUserError(() => readBrat(join(badDir, 'brat-malformed')), /doc\.ann:2:/, /not a brat annotation line|malformed/);
  });
});

describe('PubTator', () => {
  it('reads title + abstract with offsets into "title abstract"', () => {
    const content = '1|t|Aspirin toxicity.\n1|a|It causes ulcers.\n1\t0\t7\tAspirin\tChemical\tD001241\n1\t28\t34\tulcers\tDisease\tD014456\n1\tCID\tD001241\tD014456\n\n';
    const [doc] = parsePubtator(content, 'p.txt');
    assert.equal(doc.text, 'Aspirin toxicity. It causes ulcers.');
    assert.deepEqual(doc.entities.map((e) => doc.text.slice(e.start, e.end)), ['Aspirin', 'ulcers']);
    assertUserError(() => parsePubtator('1|t|Aspirin.\n1\t0\t7\tAspirim\tChemical\t-1\n', 'p.txt'), /p\.txt:2:/, /does not match/);
  });
});

describe('document <-> token conversions', () => {
  it('tags tokens, widening and reporting entities that do not fall on token boundaries', () => {
    const doc = { id: 'd', text: 'Patients got 5-FU. It caused cardiotoxicity.', entities: [{ start: 13, end: 14, label: 'Chemical' }, { start: 29, end: 43, label: 'Disease' }] };
    const { sentences, issues } = documentToSentences(doc);
    assert.deepEqual(sentences.map((s) => s.tokens), [['Patients', 'got', '5-FU', '.'], ['It', 'caused', 'cardiotoxicity', '.']]);
    assert.deepEqual(sentences.map((s) => s.tags), [['O', 'O', 'B-Chemical', 'O'], ['O', 'O', 'B-Disease', 'O']]);
    assert.equal(issues.length, 1);
    assert.match(issues[0].message, /widened to "5-FU"/);
  });
  it('merges sentences that an entity crosses', () => {
    const doc = { id: 'd', text: 'See Dr. X. Smith disease here.', entities: [{ start: 8, end: 24, label: 'Disease' }] };
    const { sentences } = documentToSentences(doc);
    assert.equal(sentences.length, 1);
  });
  it('CoNLL -> document -> CoNLL is the identity with whitespace tokenization (property)', () => {
    const token = fc.stringMatching(/^[A-Za-z0-9().,'-]{1,6}$/);
    const sentence = fc.array(fc.tuple(token, fc.constantFrom('O', 'B-X', 'I-X', 'B-Y')), { minLength: 1, maxLength: 8 }).map((pairs) => {
      const tokens = pairs.map((p) => p[0]);
      const tags = spansToTags(tagsToSpans(pairs.map((p) => p[1])).spans, tokens.length);
      return { tokens, tags };
    });
    fc.assert(
      fc.property(fc.array(sentence, { maxLength: 5 }), (sentences) => {
        const doc = sentencesToDocument('d', sentences);
        for (const e of doc.entities) assert.ok(e.end <= doc.text.length);
        const back = documentToSentences(doc, { tokenization: 'whitespace' });
        assert.deepEqual(back.issues, []);
        assert.deepEqual(back.sentences.map(({ tokens, tags }) => ({ tokens, tags })), sentences);
      }),
    );
  });
});

describe('input text and atomic writes', () => {
  it('reports the line of invalid UTF-8 and NUL bytes, and drops a BOM unless asked', () => {
    assertUserError(() => decodeText(Buffer.from('ok\nok\n\xff\n', 'latin1'), 'f.txt'), /^f\.txt:3: /);
    assertUserError(() => decodeText(Buffer.from('a\nb\u0000'), 'f.txt'), /^f\.txt:2: .*NUL/);
    assert.equal(decodeText(Buffer.from('\ufeffabc'), 'f'), 'abc');
    assert.equal(decodeText(Buffer.from('\ufeffabc'), 'f', { keepBom: true }), '\ufeffabc');
  });
  it('replaces files atomically and keeps their permissions', () => {
    const file = join(scratch, 'atomic.txt');
    writeFileAtomicSync(file, 'one');
    chmodSync(file, 0o640);
    writeFileAtomicSync(file, 'two');
    assert.equal(readFileSync(file, 'utf8'), 'two');
    assert.equal(statSync(file).mode & 0o777, 0o640);
    assert.throws(() => writeFileAtomicSync(join(scratch, 'missing-dir', 'x.txt'), 'x'));
    assert.deepEqual(readdirSync(scratch).filter((f) => f.endsWith('.tmp')), []);
  });
  it('detects formats', () => {
    assert.equal(detectInputFormat(join(formatsDir, 'iob2.conll')), 'conll');
    assert.equal(detectInputFormat(join(formatsDir, 'sample.jsonl')), 'jsonl');
    assert.equal(detectInputFormat(join(formatsDir, 'brat')), 'brat');
    assert.equal(detectInputFormat(join(formatsDir, 'brat', 'case1.txt')), 'brat');
  });
});

describe('readers never crash on garbage (property)', () => {
  const line = fc.oneof(
    fc.string({ maxLength: 30 }),
    fc.constantFrom('T1\tDisease 0 3\tabc', 'T2\tX 1 2;3 4\tb d', '#1\tnote T1', 'a\tB-X', 'b I-X', '-DOCSTART- (d)', '1|t|abc', '1\t0\t1\ta\tX\t-1'),
    fc.constantFrom('{"text":"abc","entities":[{"start":0,"end":2,"label":"X"}]}', '{"text":"😀a","entities":[{"start":1,"end":3,"label":"X"}]}', '{}', '[]', 'null'),
  );
  const content = fc.array(line, { maxLength: 8 }).map((lines) => lines.join('\n'));
  const text = fc.oneof(fc.string({ maxLength: 20, unit: 'binary' }), fc.constant('abc 😀 def'), fc.constant('😀😀'));
  const onlyUserErrors = (fn: () => unknown): void => {
    try {
      fn();
    } catch (error) {
      assert.ok(error instanceof UserError, `not a UserError: ${(error as Error).stack}`);
    }
  };
  it('CoNLL, JSONL, BRAT and PubTator parsers throw only UserErrors', () => {
    fc.assert(
      fc.property(content, text, (c, t) => {
        onlyUserErrors(() => parseConll(c, 'f.conll'));
        onlyUserErrors(() => parseConll(c, 'f.conll', 'bioes'));
        onlyUserErrors(() => parseJsonl(c, 'f.jsonl'));
        onlyUserErrors(() => parseAnn(c, t, 'f.ann'));
        onlyUserErrors(() => editAnn(c, t, { add: [{ start: 0, end: 1, label: 'X' }], removeIds: ['T1'] }, 'f.ann'));
        onlyUserErrors(() => parsePubtator(c, 'f.txt'));
      }),
      { numRuns: 400 },
    );
  });
});
