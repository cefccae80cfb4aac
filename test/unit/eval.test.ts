import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { alignCorpora } from '../../server/src/eval/alignCorpora';
import { formatReportTable } from '../../server/src/eval/report';
import { evaluateSpans, evaluateTags } from '../../server/src/eval/spanMetrics';
import type { Corpus } from '../../server/src/formats/corpus';
import { UserError } from '../../server/src/errors';

const span = (start: number, end: number, label: string) => ({ start, end, label });
const close = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) < 1e-12, `${actual} != ${expected}`);

describe('evaluateSpans', () => {
  it('computes strict per-type and micro scores (hand-computed)', () => {
    // Sentence 1: gold X[0,2) Y[3,4); pred X[0,2) correct, Y[3,5) wrong boundary.
    // Sentence 2: gold X[1,2); pred X[1,2) correct, Y[0,1) spurious.
    const report = evaluateSpans(
      [[span(0, 2, 'X'), span(3, 4, 'Y')], [span(1, 2, 'X')]],
      [[span(0, 2, 'X'), span(3, 5, 'Y')], [span(1, 2, 'X'), span(0, 1, 'Y')]],
    );
    // Overall: correct 2, gold 3, predicted 4 -> P 1/2, R 2/3, F1 = 2*(1/2)(2/3)/(1/2+2/3) = 4/7.
    assert.equal(report.overall.correct, 2);
    assert.equal(report.overall.gold, 3);
    assert.equal(report.overall.predicted, 4);
    close(report.overall.precision, 0.5);
    close(report.overall.recall, 2 / 3);
    close(report.overall.f1, 4 / 7);
    const [x, y] = report.perType;
    assert.deepEqual([x.label, x.precision, x.recall, x.f1], ['X', 1, 1, 1]);
    assert.deepEqual([y.label, y.precision, y.recall, y.f1, y.gold, y.predicted], ['Y', 0, 0, 0, 1, 2]);
    // Partial: Y[3,5) overlaps gold Y[3,4): predictions overlapping 3/4, gold found 3/3.
    close(report.partial.overall.precision, 3 / 4);
    close(report.partial.overall.recall, 1);
    close(report.partial.overall.f1, (2 * 0.75) / 1.75);
    const partialY = report.partial.perType.find((t) => t.label === 'Y')!;
    close(partialY.precision, 0.5);
    close(partialY.recall, 1);
  });
  it('needs the same type, even for partial overlap', () => {
    const report = evaluateSpans([[span(0, 3, 'X')]], [[span(0, 3, 'Y')]]);
    assert.equal(report.overall.correct, 0);
    assert.equal(report.partial.overall.correct, 0);
    assert.equal(report.partial.overall.goldFound, 0);
  });
  it('counts a duplicated prediction once as correct and once as a false positive', () => {
    const report = evaluateSpans([[span(0, 1, 'X')]], [[span(0, 1, 'X'), span(0, 1, 'X')]]);
    assert.equal(report.overall.correct, 1);
    assert.equal(report.overall.predicted, 2);
    close(report.overall.precision, 0.5);
  });
  it('scores 0 when there is no gold and no prediction (conlleval convention)', () => {
    const report = evaluateSpans([[], []], [[], []]);
    assert.deepEqual(report.overall, { precision: 0, recall: 0, f1: 0, gold: 0, predicted: 0, correct: 0 });
    assert.deepEqual(report.perType, []);
    assert.deepEqual(evaluateSpans([], []).overall.f1, 0);
  });
  it('handles no predictions and no gold separately', () => {
    const noPred = evaluateSpans([[span(0, 1, 'X')]], [[]]);
    assert.deepEqual([noPred.overall.precision, noPred.overall.recall, noPred.overall.f1], [0, 0, 0]);
    const noGold = evaluateSpans([[]], [[span(0, 1, 'X')]]);
    assert.deepEqual([noGold.overall.precision, noGold.overall.recall, noGold.overall.predicted], [0, 0, 1]);
  });
  it('rejects sequence count mismatches', () => {
    assert.throws(() => evaluateSpans([[]], []), /1 sequences/);
  });
});

describe('evaluateTags', () => {
  it('matches conlleval on a hand-checked example', () => {
    const gold = [['B-PER', 'I-PER', 'O', 'B-LOC', 'O', 'B-ORG', 'I-ORG']];
    const pred = [['B-PER', 'I-PER', 'O', 'B-LOC', 'I-LOC', 'B-ORG', 'O']];
    // correct: PER only; gold 3, pred 3 -> P = R = F1 = 1/3.
    const report = evaluateTags(gold, pred);
    close(report.overall.precision, 1 / 3);
    close(report.overall.recall, 1 / 3);
    close(report.overall.f1, 1 / 3);
  });
  it('scores IOB1 and IOB2 encodings of the same entities identically', () => {
    const iob1 = [['I-X', 'I-X', 'B-X', 'O', 'I-Y']];
    const iob2 = [['B-X', 'I-X', 'B-X', 'O', 'B-Y']];
    const report = evaluateTags(iob1, iob2, { gold: 'iob1', pred: 'iob2' });
    assert.deepEqual([report.overall.correct, report.overall.gold, report.overall.f1], [3, 3, 1]);
  });
  it('counts an IOB2 entity starting with I-X (conlleval), and B-X splits a run', () => {
    // Gold I-X I-X is one entity [0,2); pred B-X B-X is two single-token entities -> nothing correct.
    const report = evaluateTags([['I-X', 'I-X', 'O']], [['B-X', 'B-X', 'O']]);
    assert.deepEqual([report.overall.gold, report.overall.predicted, report.overall.correct], [1, 2, 0]);
    close(report.partial.overall.precision, 1);
    close(report.partial.overall.recall, 1);
    // Type change inside a run ends the entity: B-X I-Y is X[0,1) + Y[1,2).
    const typeChange = evaluateTags([['B-X', 'B-Y']], [['B-X', 'I-Y']]);
    assert.equal(typeChange.overall.f1, 1);
  });
  it('reads BIOES predictions', () => {
    const report = evaluateTags([['B-X', 'I-X', 'O', 'B-Y']], [['B-X', 'E-X', 'O', 'S-Y']], { pred: 'bioes' });
    assert.equal(report.overall.f1, 1);
  });
  it('rejects sequences of different lengths', () => {
    assert.throws(() => evaluateTags([['O', 'O']], [['O']]), /sequence 1: gold has 2 tags but the prediction has 1/);
  });
});

describe('alignCorpora', () => {
  const conll = (tokens: string[], tags: string[]): Corpus => ({
    kind: 'tokens',
    format: 'conll',
    scheme: 'iob2',
    documents: [{ id: 'd', sentences: [{ tokens, tags, line: 1 }] }],
  });
  it('compares a CoNLL file with a document of the original text through non-space characters', () => {
    const gold = conll(['Parkinson', "'", 's', 'disease', '.'], ['B-Disease', 'I-Disease', 'I-Disease', 'I-Disease', 'O']);
    const pred: Corpus = { kind: 'documents', format: 'jsonl', documents: [{ id: 'other', text: "Parkinson's disease.", entities: [span(0, 19, 'Disease')] }] };
    const aligned = alignCorpora(gold, pred, { gold: 'g', pred: 'p' });
    assert.equal(evaluateSpans(aligned.gold, aligned.pred).overall.f1, 1);
  });
  it('names the first differing token of two CoNLL files', () => {
    assert.throws(
      () => alignCorpora(conll(['a', 'b'], ['O', 'O']), conll(['a', 'c'], ['O', 'O']), { gold: 'g.conll', pred: 'p.conll' }),
      (e: unknown) => e instanceof UserError && /g\.conll:2: token "b" differs from p\.conll:2 "c"/.test(e.message),
    );
  });
  it('rejects documents with different texts', () => {
    const a: Corpus = { kind: 'documents', format: 'jsonl', documents: [{ id: 'x', text: 'abc', entities: [] }] };
    const b: Corpus = { kind: 'documents', format: 'jsonl', documents: [{ id: 'x', text: 'abd', entities: [] }] };
    assert.throws(() => alignCorpora(a, b, { gold: 'g', pred: 'p' }), /different texts/);
  });
});

describe('report table', () => {
  it('prints per-type rows, overall, and counts', () => {
    const table = formatReportTable(evaluateSpans([[span(0, 1, 'Chemical')]], [[span(0, 1, 'Chemical'), span(2, 3, 'Disease')]]));
    assert.match(table, /^Chemical\s+100\.00\s+100\.00\s+100\.00\s+1\s+1\s+1$/m);
    assert.match(table, /^Disease\s+0\.00\s+0\.00\s+0\.00\s+0\s+1\s+0$/m);
    assert.match(table, /^overall\s+50\.00\s+100\.00\s+66\.67\s+1\s+2\s+1$/m);
  });
});
