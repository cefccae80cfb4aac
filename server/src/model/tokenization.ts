import type { TokenizeOptions } from '../text/tokenizer';

/**
 * The word tokenization the neural model is pre-trained, fine-tuned and run with. BC5CDR's CoNLL files split every
 * hyphen, period and apostrophe (`5 - FU`, `Parkinson ' s`); the `conll` style reproduces 100% of their tokens, so
 * the model sees at inference exactly the kind of tokens it was trained on. (The default style keeps `5-FU` whole
 * and matches only 96.55% of them.) Sentence boundaries are the same in both styles.
 */
export const MODEL_TOKENIZATION: TokenizeOptions = { style: 'conll' };
