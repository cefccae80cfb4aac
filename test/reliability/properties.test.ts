// Property tests (fast-check) for guarantees no other test states as a property:
// - JSONL -> BRAT -> JSONL is the identity (any text: emoji, RTL, CRLF, U+FEFF inside, tabs; any non-overlapping
//   spans). A leading U+FEFF is a byte-order mark, never text (formats/inputText.ts), so no text starts with one;
//   test/reliability/sidecars.test.ts covers the mark;
// - tagging is deterministic: the same text twice gives the same entities, and a sentence's entities do not depend
//   on which other sentences share its batch (lexicon and tiny neural model).
// Already covered elsewhere, so not repeated here: tokenizer offsets always index the text
// (test/unit/tokenizer.test.ts, "offsets are exact ..."), CRF decoding always yields a valid BIO path
// (test/unit/crf.test.ts, "every decoded path is a valid BIO path ...").
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { readBrat, writeBrat } from '../../server/src/formats/brat';
import { formatJsonl, parseJsonl } from '../../server/src/formats/jsonl';
import { loadTagger } from '../../server/src/tagging/load';
import type { TextTagger } from '../../server/src/tagging/tagger';
import { tagDocument } from '../../server/src/tagging/pipeline';
import type { AnnotatedDocument } from '../../server/src/types';
import { lexiconModel, runCli, scratchDir, tinyNeuralModelDir } from './helpers';

const PIECES = ['a', 'Z', '1', ' ', '  ', '\n', '\r\n', '\t', '.', ',', '-', '(', ')', '"', '\\', 'é', 'e\u0301', '😀', '👍🏽', 'ش', 'ם', '\u200f', '\u00a0', 'aspirin', 'cystic fibrosis', '&', '<', '#', 'T1'];

/** A text made of pieces, optionally with a U+FEFF after its first piece (a leading one is a byte-order mark); never empty. */
const textArb = fc
  .tuple(fc.boolean(), fc.array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 30 }))
  .map(([feff, pieces]) => pieces[0] + (feff ? '\ufeff' : '') + pieces.slice(1).join(''));

/** Code-point boundaries of `text` (offsets that do not cut a surrogate pair). */
function boundaries(text: string): number[] {
  const result = [0];
  let offset = 0;
  for (const ch of text) result.push((offset += ch.length));
  return result;
}

/** A document with non-overlapping, non-empty spans on code-point boundaries. */
const documentArb = (id: string) =>
  textArb.chain((text) => {
    const points = boundaries(text);
    return fc
      .uniqueArray(fc.integer({ min: 0, max: points.length - 1 }), { maxLength: 8 })
      .chain((cuts) => fc.tuple(fc.constant(cuts.sort((a, b) => a - b)), fc.array(fc.constantFrom('Disease', 'DRUG', 'cell_line', 'X'), { minLength: 4, maxLength: 4 })))
      .map(([cuts, labels]): AnnotatedDocument => {
        const entities = [];
        for (let i = 0; i + 1 < cuts.length; i += 2) entities.push({ start: points[cuts[i]], end: points[cuts[i + 1]], label: labels[(i / 2) % labels.length] });
        return { id, text, entities };
      });
  });

const corpusArb = fc.integer({ min: 1, max: 4 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => documentArb(`doc${i}`))));

describe('JSONL -> BRAT -> JSONL', () => {
  let scratch: string;
  before(() => {
    scratch = scratchDir('props-brat');
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('is the identity for any text and any non-overlapping spans (library)', () => {
    let run = 0;
    fc.assert(
      fc.property(corpusArb, (documents) => {
        const jsonl = formatJsonl(documents);
        const dir = join(scratch, `run${run++}`);
        mkdirSync(dir);
        writeBrat(dir, parseJsonl(jsonl, 'in.jsonl'));
        const { documents: back, warnings } = readBrat(dir);
        assert.deepEqual(warnings, []);
        assert.equal(formatJsonl(back), jsonl);
        rmSync(dir, { recursive: true });
      }),
      { numRuns: 60 },
    );
  });

  it('is the identity through `bioner convert` as well', () => {
    const documents = fc.sample(corpusArb, { numRuns: 1, seed: 42 })[0];
    const moreDocuments = fc.sample(documentArb('more'), { numRuns: 20, seed: 7 }).map((d, i) => ({ ...d, id: `more${String(i).padStart(2, '0')}` }));
    const all = [...documents, ...moreDocuments];
    const input = join(scratch, 'in.jsonl');
    writeFileSync(input, formatJsonl(all));
    const brat = join(scratch, 'brat-out');
    const toBrat = runCli(['convert', input, brat, '--to', 'brat']);
    assert.equal(toBrat.code, 0, toBrat.stderr);
    const output = join(scratch, 'out.jsonl');
    const toJsonl = runCli(['convert', brat, output]);
    assert.equal(toJsonl.code, 0, toJsonl.stderr);
    const sortById = (docs: AnnotatedDocument[]) => [...docs].sort((a, b) => (a.id < b.id ? -1 : 1));
    assert.deepEqual(sortById(parseJsonl(readFileSync(output, 'utf8'), 'out.jsonl')), sortById(parseJsonl(formatJsonl(all), 'in.jsonl')));
  });
});

describe('tagging is deterministic', () => {
  const WORDS = ['Aspirin', 'aspirin', 'induced', 'asthma', 'in', 'patients', 'Cisplatin', 'causes', 'renal', 'failure', 'cystic', 'fibrosis', 'naloxone', 'fever', 'the', '.', ',', '\n', '😀', 'שלום', 'IL-2', 'e.g.'];
  const sentenceArb = fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 25 }).map((w) => w.join(' '));
  const taggers: Array<[string, TextTagger]> = [];
  before(async () => {
    taggers.push(['lexicon', await loadTagger(lexiconModel)], ['tiny neural', await loadTagger(await tinyNeuralModelDir())]);
  });
  after(() => taggers.forEach(([, t]) => t.dispose()));

  it('the same text twice gives the same entities', async () => {
    for (const [name, tagger] of taggers) {
      await fc.assert(
        fc.asyncProperty(fc.array(sentenceArb, { minLength: 1, maxLength: 6 }), async (sentences) => {
          const text = sentences.join(' ');
          const first = (await tagDocument(tagger, text)).entities;
          const second = (await tagDocument(tagger, text)).entities;
          assert.deepEqual(second, first, name);
          for (const e of first) assert.equal(text.slice(e.start, e.end), e.text);
        }),
        { numRuns: 25 },
      );
    }
  });

  it("a sentence's entities do not depend on the other sentences of its batch", async () => {
    for (const [name, tagger] of taggers) {
      await fc.assert(
        fc.asyncProperty(sentenceArb, fc.array(sentenceArb, { maxLength: 8 }), fc.nat(8), async (sentence, others, position) => {
          const [alone] = await tagger.tagSentences([sentence]);
          const batch = [...others];
          const at = Math.min(position, batch.length);
          batch.splice(at, 0, sentence);
          const together = await tagger.tagSentences(batch);
          // Spans and labels are identical; confidences may differ in the last float bits (a padded batch sums in
          // another order, ~1e-11 measured), never by a visible amount.
          const what = `${name}: ${JSON.stringify(sentence)} tagged alone vs. in a batch of ${batch.length}`;
          const spans = (entities: typeof alone) => entities.map(({ start, end, label, text }) => ({ start, end, label, text }));
          assert.deepEqual(spans(together[at]), spans(alone), what);
          together[at].forEach((e, i) => assert.ok(Math.abs(e.confidence - alone[i].confidence) < 1e-6, what));
        }),
        { numRuns: 25 },
      );
    }
  });
});
