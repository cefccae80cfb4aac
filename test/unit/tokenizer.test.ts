import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { tokenize } from '../../server/src/text/tokenizer';

const words = (text: string): string[] => tokenize(text).flatMap((s) => s.tokens.map((t) => t.text));
const sentences = (text: string): string[] => tokenize(text).map((s) => text.slice(s.start, s.end));

describe('tokenizer: words', () => {
  it('keeps biomedical names whole', () => {
    assert.deepEqual(words('ΔF508 p.Phe508del IL-2 5-FU COVID-19 MK-801'), ['ΔF508', 'p.Phe508del', 'IL-2', '5-FU', 'COVID-19', 'MK-801']);
    // Letter-only codes split (BC5CDR annotates "ALF" in "ATT-ALF"); only the digit-bearing pair stays whole.
    assert.deepEqual(words('SARS-CoV-2'), ['SARS', '-', 'CoV-2']);
  });
  it('keeps an HGVS name one word, and a protein change apart from its gene', () => {
    assert.deepEqual(words('c.1521_1523delCTT, p.(Gly12Cys) and (c.1402-1C>G).'), ['c.1521_1523delCTT', ',', 'p.(Gly12Cys)', 'and', '(', 'c.1402-1C>G', ')', '.']);
    assert.deepEqual(words('KRAS-G12C'), ['KRAS', '-', 'G12C']);
    assert.deepEqual(sentences('We found c. 529T>C here. Next.'), ['We found c. 529T>C here.', 'Next.']);
  });
  it('keeps decimals and thousands, splits units', () => {
    assert.deepEqual(words('2.5 mg, 1,000 patients (P<.05)'), ['2.5', 'mg', ',', '1,000', 'patients', '(', 'P', '<', '.05', ')']);
  });
  it('splits trailing punctuation, parentheses and commas', () => {
    assert.deepEqual(words('received Ivacaftor.'), ['received', 'Ivacaftor', '.']);
    assert.deepEqual(words('(ASA, 50 mg/kg)'), ['(', 'ASA', ',', '50', 'mg', '/', 'kg', ')']);
  });
  it('splits hyphens and apostrophes like BC5CDR', () => {
    assert.deepEqual(words('dopamine-induced'), ['dopamine', '-', 'induced']);
    assert.deepEqual(words('5-FU-induced'), ['5-FU', '-', 'induced']);
    assert.deepEqual(words("Parkinson's"), ['Parkinson', "'", 's']);
    assert.deepEqual(words('ranges 3-4 and ATT-ALF'), ['ranges', '3', '-', '4', 'and', 'ATT', '-', 'ALF']);
    assert.deepEqual(words('Na+ and Ca2+'), ['Na', '+', 'and', 'Ca2', '+']);
  });
  it('follows the hyphen policy option', () => {
    const text = 'IL-2 dopamine-induced';
    assert.deepEqual(tokenize(text, { hyphens: 'split' })[0].tokens.map((t) => t.text), ['IL', '-', '2', 'dopamine', '-', 'induced']);
    assert.deepEqual(tokenize(text, { hyphens: 'keep' })[0].tokens.map((t) => t.text), ['IL-2', 'dopamine-induced']);
  });
  it('reproduces the BC5CDR CoNLL tokens in the conll style', () => {
    const text = 'Patients got 2.5 mg/kg 5-FU, e.g. i.v. (P<.05) IL-2.';
    assert.deepEqual(tokenize(text, { style: 'conll' }).flatMap((s) => s.tokens.map((t) => t.text)), [
      'Patients', 'got', '2', '.', '5', 'mg', '/', 'kg', '5', '-', 'FU', ',', 'e', '.', 'g', '.', 'i', '.', 'v', '.', '(', 'P', '<', '.', '05', ')', 'IL', '-', '2', '.',
    ]);
    // Abbreviations written as separate tokens still do not end sentences.
    assert.equal(tokenize('Seen by Dr. Smith e.g. Today. Next one.', { style: 'conll' }).length, 2);
  });
  it('keeps abbreviations as one token', () => {
    assert.deepEqual(words('e.g., i.e. b.i.d. Fig. 2 vs. et al.'), ['e.g.', ',', 'i.e.', 'b.i.d.', 'Fig.', '2', 'vs.', 'et', 'al.']);
  });
  it('never splits surrogate pairs, combining marks or emoji sequences', () => {
    const text = 'e\u0301t\u00e9 😀👍🏽 👨‍👩‍👧 🇫🇷 x\u0301!';
    assert.deepEqual(words(text), ['e\u0301t\u00e9', '😀', '👍🏽', '👨‍👩‍👧', '🇫🇷', 'x\u0301', '!']);
    assert.deepEqual(words('a \u0301b'), ['a', '\u0301', 'b']); // a mark after a space has nothing to attach to
  });
  it('handles tabs and CRLF', () => {
    const text = 'Aspirin\t81 mg\r\nonce.';
    const tokens = tokenize(text).flatMap((s) => s.tokens);
    assert.deepEqual(tokens.map((t) => t.text), ['Aspirin', '81', 'mg', 'once', '.']);
    assert.deepEqual(tokens.map((t) => t.start), [0, 8, 11, 15, 19]);
  });
});

describe('tokenizer: sentences', () => {
  it('splits on terminal punctuation followed by a capital', () => {
    assert.deepEqual(sentences('Ivacaftor works. It is safe! Really? Yes.'), ['Ivacaftor works.', 'It is safe!', 'Really?', 'Yes.']);
  });
  it('does not split after abbreviations or initials', () => {
    const text = 'E. coli was grown, e.g. in broth. Dr. Smith et al. reported it vs. placebo b.i.d. Patients improved.';
    assert.deepEqual(sentences(text), [
      'E. coli was grown, e.g. in broth.',
      'Dr. Smith et al. reported it vs. placebo b.i.d. Patients improved.',
    ]);
  });
  it('splits after a capital letter that is not an initial, and before gene-style lowercase names', () => {
    assert.deepEqual(sentences('Rats got vitamin D. The effect was small. mRNA levels rose.'), ['Rats got vitamin D.', 'The effect was small.', 'mRNA levels rose.']);
    assert.deepEqual(sentences('Seen by Dr. J. R. Smith today. J. Smith agreed.'), ['Seen by Dr. J. R. Smith today.', 'J. Smith agreed.']);
  });
  it('splits after acronyms that look like abbreviations', () => {
    assert.deepEqual(sentences('It releases NO. Rats were treated.'), ['It releases NO.', 'Rats were treated.']);
  });
  it('ends a sentence at a blank line even without punctuation', () => {
    assert.deepEqual(sentences('HISTORY\r\n\r\nThe patient\nwas seen'), ['HISTORY', 'The patient\nwas seen']);
    assert.deepEqual(sentences('a\n \t\nb'), ['a', 'b']);
  });
  it('keeps closing quotes and brackets with the sentence', () => {
    assert.deepEqual(sentences('He said "stop." Then left.'), ['He said "stop."', 'Then left.']);
  });
  it('does not split a list marker from its item', () => {
    assert.deepEqual(sentences('1. Aspirin 81 mg daily.\n2. Metformin.'), ['1. Aspirin 81 mg daily.', '2. Metformin.']);
  });
  it('does not split before lowercase words or without whitespace', () => {
    assert.deepEqual(sentences('Given 5 mg. daily and see Fig.2 now.'), ['Given 5 mg. daily and see Fig.2 now.']);
  });
  it('cuts run-on text at the maximum sentence length', () => {
    const text = Array.from({ length: 10 }, (_, i) => `w${i}`).join(' ');
    assert.deepEqual(tokenize(text, { maxTokensPerSentence: 4 }).map((s) => s.tokens.length), [4, 4, 2]);
  });
  it('returns nothing for empty or blank input', () => {
    assert.deepEqual(tokenize(''), []);
    assert.deepEqual(tokenize(' \r\n\t '), []);
  });
});

describe('tokenizer: invariants (property-based)', () => {
  const pieces = ['a', 'Z', '1', '.', ',', '-', '(', ')', "'", ' ', '\n', '\r\n', '\t', 'é', 'e\u0301', '😀', '👍🏽', 'Δ', 'e.g.', 'Dr.', 'IL-2', '?', '\u0301', '\ud800', '\u00a0', '+', '/'];
  const arbitraryText = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 60 }),
    fc.string({ unit: 'binary', maxLength: 60 }),
    fc.array(fc.constantFrom(...pieces), { maxLength: 40 }).map((p) => p.join('')),
  );
  it('offsets are exact, ordered, non-overlapping, whitespace-free, and cover every non-space character', () => {
    fc.assert(
      fc.property(arbitraryText, (text) => {
        const result = tokenize(text);
        let previousEnd = 0;
        const covered = new Array<boolean>(text.length).fill(false);
        for (const sentence of result) {
          assert.ok(sentence.tokens.length > 0);
          assert.ok(sentence.start >= previousEnd, 'sentences in order');
          assert.equal(sentence.start, sentence.tokens[0].start);
          assert.equal(sentence.end, sentence.tokens[sentence.tokens.length - 1].end);
          for (const token of sentence.tokens) {
            assert.ok(token.start >= previousEnd && token.end > token.start, 'tokens in order and non-empty');
            assert.equal(text.slice(token.start, token.end), token.text);
            assert.ok(!/\s/.test(token.text), `no whitespace in ${JSON.stringify(token.text)}`);
            for (let i = token.start; i < token.end; i++) covered[i] = true;
            previousEnd = token.end;
          }
        }
        for (let i = 0; i < text.length; i++) {
          if (!covered[i]) assert.match(text[i], /[\s\u200b\u2060]/, `uncovered character at ${i}`);
        }
      }),
      { numRuns: 500 },
    );
  });
  it('never cuts inside a surrogate pair or before a combining mark', () => {
    fc.assert(
      fc.property(arbitraryText, (text) => {
        for (const token of tokenize(text).flatMap((s) => s.tokens)) {
          const before = text.charCodeAt(token.start - 1);
          const first = text.charCodeAt(token.start);
          assert.ok(!(before >= 0xd800 && before <= 0xdbff && first >= 0xdc00 && first <= 0xdfff), 'split inside a pair');
          if (token.start > 0 && !/\s/.test(text[token.start - 1])) {
            assert.ok(!/^\p{M}/u.test(text.slice(token.start)), 'token starts with a combining mark glued to the previous one');
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('tokenizer: scale', () => {
  it('handles a 100,000-character token and long punctuation runs', () => {
    const long = 'a'.repeat(100_000);
    const tokens = tokenize(`x ${long}. y`).flatMap((s) => s.tokens);
    assert.equal(tokens[1].text.length, 100_000);
    assert.equal(tokenize('-'.repeat(50_000)).flatMap((s) => s.tokens).length, 50_000);
    assert.equal(tokenize('.'.repeat(50_000)).flatMap((s) => s.tokens).length, 1);
  });
  it('tokenizes 10 MB of text in one pass', () => {
    const paragraph = 'Patients (n = 12) received 2.5 mg/kg of 5-FU, e.g. b.i.d.; IL-2 rose. ';
    const text = paragraph.repeat(Math.ceil(10_000_000 / paragraph.length));
    const result = tokenize(text);
    assert.equal(result.length, Math.ceil(10_000_000 / paragraph.length));
    assert.equal(result[result.length - 1].end, text.length - 1);
  });
});
