// Findings listed under one negation share their type. Review of systems and examination lines list negated findings
// ("No clubbing, cyanosis or edema", "denies fever, chills, or sweats", "no chest pain, no palpitations, no cough");
// the model often tags most members of such a list and misses one it knows less well. When most (and at least two)
// of a negated list's members are entities of one label, an untagged member that is a bare noun phrase of a few words
// gets that label too. Nothing is looked up: which words are a member is decided by the list's punctuation and
// function words (articles, prepositions, negations, auxiliaries), never by a name list. Lists that are not negated
// are left alone: in prose, "and" and commas join clauses as often as findings.
import type { EntityPrediction } from '../types';

/** Separates the members of a list. */
const SEPARATORS = new Set([',', 'and', 'or', 'nor']);
/**
 * Words that are never part of a listed finding: they end a member on the left ("no", "denies", "with") or the right
 * ("is seen", "noted on"). Function words only (articles, pronouns, prepositions, auxiliaries, negation and list
 * cues), so the rule is the same for any note or abstract.
 */
const FUNCTION_WORDS = new Set(
  (
    'a an the this that these those his her its their our your my he she it they we you i him them us ' +
    'no not none nothing never neither without denies denied deny denying negative positive free absence absent ' +
    'any some all other another each every either both more less most much many few several such same ' +
    'is are was were be been being am has have had having do does did done can could may might must shall should will would ' +
    'of in on at to for from by with within into onto upon over under about after before during since until via per ' +
    'as than then there here also well too very so but yet if because while when where which who whom whose what ' +
    'including include includes included especially except like unlike versus vs ' +
    'seen noted found shows showed show reveals revealed reveal appears appeared present presents presented ' +
    'complains complained reports reported admits admitted states stated endorses endorsed experienced ' +
    'patient patients'
  ).split(' '),
);
/** The most words an untagged member may have (a finding is named in a few words; a longer run is a clause). */
export const MAX_MEMBER_WORDS = 3;

interface Word {
  text: string;
  start: number;
  end: number;
}

/** A list member: where its finding is and how many words it has. */
interface Member {
  span: { start: number; end: number };
  words: number;
}

const WORD = /[\p{L}\p{N}](?:[\p{L}\p{N}'’]|-(?=[\p{L}\p{N}]))*|\S/gu;
const isContentWord = (w: Word) => /^\p{L}/u.test(w.text) && !FUNCTION_WORDS.has(w.text.toLowerCase()) && !SEPARATORS.has(w.text.toLowerCase());
// Undefined past the last word: a list may run to the end of the text (no final full stop while the user types).
const isSeparator = (w: Word | undefined) => w !== undefined && SEPARATORS.has(w.text.toLowerCase());

/** Words that open a negated list ("No clubbing, cyanosis or edema", "denies fever, chills, or sweats"). */
const NEGATION_CUES = new Set(['no', 'denies', 'denied', 'deny', 'denying', 'without', 'negative']);

/**
 * The negated lists of a sentence: after a negation cue, members between separators. Each member is the run of
 * content words (or words of an entity) after its leading function words ("no", "any"); a member followed by another
 * must be nothing else, the last one ends at the first function word after it ("... or [edema] is seen"). A list ends
 * at punctuation that is no separator and before a member that is no bare noun phrase ("changes in hearing"); a cue
 * inside that member may start the next list.
 */
function negatedListsOf(text: string, entities: readonly EntityPrediction[]): Member[][] {
  const words: Word[] = [...text.matchAll(WORD)].map((m) => ({ text: m[0], start: m.index!, end: m.index! + m[0].length }));
  // A word of an entity belongs to its member whatever it is ("shortness of breath").
  const inEntity = (w: Word) => entities.some((e) => e.start <= w.start && w.end <= e.end);
  const isContent = (w: Word) => isContentWord(w) || inEntity(w);
  const isWord = (w: Word | undefined) => w !== undefined && /^[\p{L}\p{N}]/u.test(w.text);
  const lists: Member[][] = [];
  let i = 0;
  while (i < words.length) {
    if (!NEGATION_CUES.has(words[i].text.toLowerCase())) {
      i++;
      continue;
    }
    const members: Member[] = [];
    let k = i + 1;
    for (;;) {
      // One member: words[k..end) up to the next separator or punctuation.
      let end = k;
      while (isWord(words[end]) && !isSeparator(words[end])) end++;
      let from = k;
      while (from < end && !isContent(words[from])) from++;
      let to = from;
      while (to < end && isContent(words[to])) to++;
      const last = !isSeparator(words[end]);
      if (from === to || (!last && to < end)) break;
      members.push({ span: { start: words[from].start, end: words[to - 1].end }, words: to - from });
      if (last) break;
      k = end;
      while (isSeparator(words[k])) k++;
    }
    if (members.length >= 2) lists.push(members);
    i = Math.max(i + 1, k);
  }
  return lists;
}

/**
 * The entities of one sentence (offsets into `text`, sorted by start) with the untagged members of its lists added
 * where most members are entities of one label. Returns them sorted by start.
 */
export function tagCoordinated(text: string, entities: readonly EntityPrediction[]): EntityPrediction[] {
  const added: EntityPrediction[] = [];
  for (const members of negatedListsOf(text, entities)) {
    const tagged = members.map((m) => entities.filter((e) => e.start < m.span.end && m.span.start < e.end));
    const labels = new Set(tagged.flat().map((e) => e.label));
    if (labels.size !== 1) continue;
    const [label] = labels;
    const taggedCount = tagged.filter((t) => t.length > 0).length;
    // Most members tagged, and at least two: one entity beside one untagged phrase is no evidence of a list of findings.
    if (taggedCount < 2 || 2 * taggedCount <= members.length) continue;
    const confidence = Math.min(...tagged.flat().map((e) => e.confidence));
    members.forEach((m, k) => {
      if (tagged[k].length > 0 || m.words > MAX_MEMBER_WORDS) return;
      added.push({ ...m.span, label, text: text.slice(m.span.start, m.span.end), confidence });
    });
  }
  if (added.length === 0) return [...entities];
  return [...entities, ...added].sort((a, b) => a.start - b.start || b.end - a.end);
}
