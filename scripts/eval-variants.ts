// Strict span P/R/F1 of the VARIANT entities that every tagging path produces (the document passes run over the
// text with no model entities: a variant wins every overlap, so the model cannot change them), on the three
// variant corpora of ../shared/data/variants (formats in its README):
//  - tmVar train (PubTator; ProteinMutation, DNAMutation, SNP), split by document order: every third document
//    (index % 3 === 2, 65 documents) is HELD OUT and was never looked at while writing the grammar; the other 130
//    are the tuning part;
//  - SETH (BRAT `.ann` per PMID over `corpus.txt`; type SNP, the corpus's name for every variant), a tuning part;
//  - OSIRIS (inline `<variant>` XML), a tuning part.
// Usage: npx tsx scripts/eval-variants.ts [--errors PART] [DATA_DIR]
//   --errors PART prints the false negatives and false positives of one tuning part (tmvar-tune, seth, osiris).
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parsePubtator } from '../server/src/formats/pubtator';
import { scoresFromCounts } from '../server/src/eval/spanMetrics';
import { runDocumentPasses } from '../server/src/tagging/passes';
import { tokenize } from '../server/src/text/tokenizer';
import type { AnnotatedDocument } from '../server/src/types';

const args = process.argv.slice(2);
const errorsIndex = args.indexOf('--errors');
const errorsPart = errorsIndex >= 0 ? args.splice(errorsIndex, 2)[1] : undefined;
if (errorsPart && !['tmvar-tune', 'seth', 'osiris'].includes(errorsPart)) {
  throw new Error(`--errors: ${errorsPart} is not a tuning part (tmvar-tune, seth, osiris)`);
}
const dataDir = resolve(args[0] ?? process.env.BIONER_DATA ?? join(__dirname, '..', '..', 'shared', 'data'), 'variants');

function readTmvar(): AnnotatedDocument[] {
  const file = join(dataDir, 'tmvar', 'train.PubTator.txt');
  return parsePubtator(readFileSync(file, 'utf8'), file).map((d) => ({ ...d, entities: d.entities.map((e) => ({ ...e, label: 'VARIANT' })) }));
}

function readSeth(): AnnotatedDocument[] {
  const texts = new Map<string, string>();
  for (const line of readFileSync(join(dataDir, 'seth', 'corpus.txt'), 'utf8').split('\n')) {
    const tab = line.indexOf('\t');
    if (tab > 0) texts.set(line.slice(0, tab), line.slice(tab + 1));
  }
  const dir = join(dataDir, 'seth', 'annotations');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ann'))
    .sort()
    .map((f) => {
      const id = f.replace(/\.ann$/, '');
      const entities = readFileSync(join(dir, f), 'utf8')
        .split('\n')
        .map((l) => /^T\d+\tSNP (\d+) (\d+)\t/.exec(l))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => ({ start: Number(m[1]), end: Number(m[2]), label: 'VARIANT' }));
      return { id, text: texts.get(id) ?? '', entities };
    });
}

/** OSIRIS: title and abstract joined by a space, tags removed, entities unescaped; trailing spaces in a tag trimmed. */
function readOsiris(): AnnotatedDocument[] {
  const xml = readFileSync(join(dataDir, 'osiris', 'corpus.xml'), 'utf8');
  const unescape = (s: string): string => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
  const documents: AnnotatedDocument[] = [];
  for (const article of xml.matchAll(/<Article>([\s\S]*?)<\/Article>/g)) {
    const id = /<Pmid>(.*?)<\/Pmid>/.exec(article[1])?.[1] ?? String(documents.length);
    const parts = [/<Title>([\s\S]*?)<\/Title>/.exec(article[1])?.[1] ?? '', /<Abstract>([\s\S]*?)<\/Abstract>/.exec(article[1])?.[1] ?? ''];
    let text = '';
    const entities: AnnotatedDocument['entities'] = [];
    parts.forEach((part, i) => {
      if (i > 0) text += ' ';
      for (const piece of part.split(/(<[^>]+>)/)) {
        if (piece.startsWith('<variant')) entities.push({ start: text.length, end: -1, label: 'VARIANT' });
        else if (piece === '</variant>') {
          const e = entities[entities.length - 1];
          e.end = text.length;
          while (e.end > e.start && /\s/.test(text[e.end - 1])) e.end--;
        } else if (!piece.startsWith('<')) text += unescape(piece);
      }
    });
    documents.push({ id, text, entities });
  }
  return documents;
}

const tmvar = readTmvar();
const parts: [string, AnnotatedDocument[]][] = [
  ['tmvar-heldout', tmvar.filter((_, i) => i % 3 === 2)],
  ['tmvar-tune', tmvar.filter((_, i) => i % 3 !== 2)],
  ['seth', readSeth()],
  ['osiris', readOsiris()],
];

console.log('part            docs  gold  pred  correct      P      R     F1');
for (const [name, documents] of parts) {
  let gold = 0;
  let pred = 0;
  let correct = 0;
  for (const d of documents) {
    const sentences = tokenize(d.text).map((s) => ({ start: s.start, end: s.end }));
    const found = runDocumentPasses({ text: d.text, sentences }, []).filter((e) => e.label === 'VARIANT');
    const key = (e: { start: number; end: number }): string => `${e.start}:${e.end}`;
    const goldKeys = new Set(d.entities.map(key));
    const predKeys = new Set(found.map(key));
    gold += goldKeys.size;
    pred += predKeys.size;
    for (const k of predKeys) if (goldKeys.has(k)) correct++;
    if (name === errorsPart) {
      const show = (e: { start: number; end: number }): string =>
        `${d.text.slice(Math.max(0, e.start - 30), e.start)}[[${d.text.slice(e.start, e.end)}]]${d.text.slice(e.end, e.end + 30)}`.replace(/\s+/g, ' ');
      for (const e of d.entities) if (!predKeys.has(key(e))) console.log(`FN ${d.id}\t${show(e)}`);
      for (const e of found) if (!goldKeys.has(key(e))) console.log(`FP ${d.id}\t${show(e)}`);
    }
  }
  const s = scoresFromCounts(correct, gold, pred);
  const pct = (x: number): string => (100 * x).toFixed(2).padStart(6);
  console.log(`${name.padEnd(14)} ${String(documents.length).padStart(5)} ${String(gold).padStart(5)} ${String(pred).padStart(5)} ${String(correct).padStart(8)} ${pct(s.precision)} ${pct(s.recall)} ${pct(s.f1)}`);
}
