import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inflateSync } from 'node:zlib';
import type { AlignedSpan } from '../../server/src/eval/alignCorpora';
import { calibrationOf } from '../../server/src/eval/calibration';
import { reliabilityDiagramPng } from '../../server/src/eval/reliabilityDiagram';
import { mentionKey, mentionKeys, scoreSeenUnseen } from '../../server/src/eval/unseenMentions';

const e = (start: number, end: number, label: string, text: string, confidence?: number): AlignedSpan => ({
  start,
  end,
  label,
  text,
  ...(confidence === undefined ? {} : { confidence }),
});

describe('seen and unseen mentions', () => {
  it('compares texts without case or whitespace', () => {
    assert.equal(mentionKey("Parkinson ' s  Disease"), "parkinson'sdisease");
    assert.ok(mentionKeys(["Parkinson's disease"]).has(mentionKey("PARKINSON ' S DISEASE")));
  });
  it('splits gold and predictions by whether their text was a training mention', () => {
    const training = mentionKeys(['aspirin', 'renal failure']);
    const gold = [[e(0, 7, 'DRUG', 'Aspirin'), e(10, 19, 'DRUG', 'ivacaftor'), e(25, 38, 'DISEASE', 'renal failure')]];
    // aspirin right (seen); ivacaftor missed (unseen); renal failure with the wrong type (seen, wrong);
    // "fibrosis" a false positive (unseen).
    const pred = [[e(0, 7, 'DRUG', 'Aspirin'), e(25, 38, 'DRUG', 'renal failure'), e(40, 48, 'DISEASE', 'fibrosis')]];
    const report = scoreSeenUnseen({ gold, pred }, training);
    assert.equal(report.trainingMentions, 2);
    assert.deepEqual([report.seen.overall.gold, report.seen.overall.predicted, report.seen.overall.correct], [2, 2, 1]);
    assert.deepEqual([report.unseen.overall.gold, report.unseen.overall.predicted, report.unseen.overall.correct], [1, 1, 0]);
    assert.equal(report.seen.overall.recall, 0.5);
    assert.equal(report.unseen.overall.recall, 0);
  });
});

describe('calibration', () => {
  it('computes the ECE over 10 bins and the share of confident false positives (hand-computed)', () => {
    const gold = [[e(0, 1, 'X', 'a'), e(2, 3, 'X', 'b'), e(4, 5, 'X', 'c')]];
    // Bin 0.9-1.0: confidences 0.99 (right), 0.97 (wrong: other type); bin 0.6-0.7: 0.65 (right), 0.6 (wrong: no gold).
    const pred = [[e(0, 1, 'X', 'a', 0.99), e(2, 3, 'Y', 'b', 0.97), e(4, 5, 'X', 'c', 0.65), e(6, 7, 'X', 'd', 0.6), e(8, 9, 'X', 'e')]];
    const report = calibrationOf({ gold, pred })!;
    assert.equal(report.predictions, 4);
    const high = report.bins[9];
    const mid = report.bins[6];
    assert.deepEqual([high.count, high.correct, mid.count, mid.correct], [2, 1, 2, 1]);
    // ECE = 2/4 * |0.5 - 0.98| + 2/4 * |0.5 - 0.625|
    assert.ok(Math.abs(report.ece - (0.5 * 0.48 + 0.5 * 0.125)) < 1e-12, String(report.ece));
    assert.equal(report.falsePositives, 2);
    assert.equal(report.confidentFalsePositives, 1);
    assert.equal(report.confidentFalsePositiveShare, 0.5);
  });
  it('counts a duplicated prediction as right only once', () => {
    const report = calibrationOf({ gold: [[e(0, 1, 'X', 'a')]], pred: [[e(0, 1, 'X', 'a', 0.9), e(0, 1, 'X', 'a', 0.9)]] })!;
    assert.equal(report.falsePositives, 1);
  });
  it('is undefined when no prediction has a confidence', () => {
    assert.equal(calibrationOf({ gold: [[e(0, 1, 'X', 'a')]], pred: [[e(0, 1, 'X', 'a')]] }), undefined);
  });
  it('draws a reliability diagram as a valid PNG whose bars follow the accuracy', () => {
    const gold = [[e(0, 1, 'X', 'a')]];
    const report = calibrationOf({ gold, pred: [[e(0, 1, 'X', 'a', 0.95), e(2, 3, 'X', 'b', 0.35)]] })!;
    const png = reliabilityDiagramPng(report);
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const width = png.readUInt32BE(16);
    const height = png.readUInt32BE(20);
    // Decode the single IDAT chunk (filter 0 rows of RGB).
    let offset = 8;
    let idat = Buffer.alloc(0);
    while (offset < png.length) {
      const length = png.readUInt32BE(offset);
      const type = png.toString('ascii', offset + 4, offset + 8);
      if (type === 'IDAT') idat = Buffer.concat([idat, png.subarray(offset + 8, offset + 8 + length)]);
      offset += 12 + length;
    }
    const raw = inflateSync(idat);
    assert.equal(raw.length, height * (width * 3 + 1));
    const pixel = (x: number, y: number) => [...raw.subarray(y * (width * 3 + 1) + 1 + x * 3, y * (width * 3 + 1) + 1 + x * 3 + 3)];
    // The plot spans x 70..500 and y 50..450 (confidence 0..1, accuracy 1..0). Bin 0.9-1.0 is right (accuracy 1): a
    // bar at accuracy 0.5 height; bin 0.3-0.4 is wrong (accuracy 0): no bar there.
    const x = (v: number) => Math.round(70 + v * 430);
    const y = (v: number) => Math.round(450 - v * 400);
    assert.deepEqual(pixel(x(0.95), y(0.5)), [70, 110, 190]);
    assert.deepEqual(pixel(x(0.35), y(0.2)), [255, 255, 255]);
  });
});
