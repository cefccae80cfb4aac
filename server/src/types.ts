// Core data types shared by the tokenizer, formats, model, tagger, language server and CLI.
// All character offsets are UTF-16 code-unit offsets into the original JavaScript string, end exclusive.

/** A word token with its exact position: text.slice(start, end) === token.text. */
export interface Token {
  text: string;
  start: number;
  end: number;
}

/** A sentence: its character range in the text and its tokens (offsets into the whole text). */
export interface Sentence {
  start: number;
  end: number;
  tokens: Token[];
}

/** A labelled character span, as stored in annotations (BRAT, JSONL) and compared by evaluation. */
export interface Span {
  start: number;
  end: number;
  label: string;
}

/** A predicted entity: a span plus its text and the CRF probability of exactly this span with this label. */
export interface EntityPrediction extends Span {
  text: string;
  /** P(span with this label | sentence) under the CRF, in [0, 1]. */
  confidence: number;
  /** The next most probable label for the same span, if any. */
  runnerUp?: { label: string; confidence: number };
  /** Set when the document's abbreviation pass gave this label: the long form the abbreviation stands for. */
  abbreviationOf?: string;
  /** Set when the document pass added this entity as a repeat: the start offset of the entity it repeats. */
  repeatOf?: number;
  /** Set when the entity is clinical shorthand (tagging/clinicalShorthand.ts): what it stands for ("hypertension"). */
  expansion?: string;
  /** Clinical context (negation, temporality, experiencer), set by the assertion pass (tagging/assertion/). */
  assertion?: Assertion;
  /** Set on VARIANT entities: what the mention says, where it can be read off it (text/variants.ts). */
  variant?: VariantNormalisation;
}

/** What a sequence-variant mention says, where it can be read off the mention (text/variants.ts). */
export interface VariantNormalisation {
  type: 'substitution' | 'deletion' | 'insertion' | 'duplication' | 'deletion-insertion' | 'frameshift' | 'inversion' | 'dbsnp';
  /** 'p' protein, 'c' coding DNA, 'g' genomic, 'm' mitochondrial, 'n' non-coding, 'r' RNA, when the mention says. */
  sequence?: 'p' | 'c' | 'g' | 'm' | 'n' | 'r';
  /** A plain position as a number (508); HGVS positions and ranges as written ("1521_1523", "2398+1", "IVS8-5"). */
  position?: number | string;
  /** The reference residue(s) or base(s); protein residues in one-letter code. */
  wildtype?: string;
  /** The new residue(s) or base(s); "*" for a stop codon. */
  mutant?: string;
  /** The dbSNP id ("rs334"). */
  id?: string;
}

/** Whether the entity is present: "denies chest pain" is negated, "possible pneumonia" possible. */
export type Negation = 'affirmed' | 'negated' | 'possible';
/** When: "history of AF" is historical, "return if fever develops" hypothetical. */
export type Temporality = 'recent' | 'historical' | 'hypothetical';
/** Whose: "mother had breast cancer" is other (family), everything else the patient's. */
export type Experiencer = 'patient' | 'other';

/** What decided one property of an assertion: a trigger phrase of the sentence or the note section's heading. */
export interface AssertionCue {
  /** The trigger as written ("denies", "was ruled out") or the section heading ("Family history"). */
  text: string;
  start: number;
  end: number;
  source: 'trigger' | 'section';
}

/** An entity's clinical context. A property with no cue has its default value (affirmed, recent, patient). */
export interface Assertion {
  negation: Negation;
  temporality: Temporality;
  experiencer: Experiencer;
  /** The cue that decided each property whose value is not the default. */
  triggers: { negation?: AssertionCue; temporality?: AssertionCue; experiencer?: AssertionCue };
}

/** A document with gold (or predicted) character-offset annotations. */
export interface AnnotatedDocument {
  id: string;
  text: string;
  entities: Span[];
  /**
   * Set when only part of the text was reviewed (an editor sidecar not marked complete, formats/review.ts): text
   * outside `entities` and `notEntities` is unknown, not "no entity".
   */
  partial?: { notEntities: Array<{ start: number; end: number }> };
}

/** A token-level labelled sentence, as in CoNLL files; tags are in the file's scheme (normalised to IOB2 on read). */
export interface TaggedSentence {
  tokens: string[];
  tags: string[];
  /** A sentence of the model's own training data, rehearsed while it is fine-tuned: its names are not being taught. */
  rehearsal?: boolean;
}
