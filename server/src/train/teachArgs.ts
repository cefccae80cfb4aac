// How "BioNER: Fine-tune on Workspace Annotations" runs `bioner train` beyond its data and the bioner.fineTune.*
// settings: one list, passed by the client and by bench/model-teach.ts, so the teach bench measures what the user gets.
// What teaches a new name is bioner train's default with --init-model too: an annotated word the model's task vocabulary
// lacks gets an embedding of its own (not the unknown word's, which every unseen word shares).
// What keeps the model from forgetting is bioner train's default with --init-model: soft self-labels on the text nobody
// reviewed and the model folder's rehearsal.conll, as many sentences of it per epoch as the user's (--rehearse-ratio 1:
// all 200 beside three taught sentences outweighed them) (no --anchor: it held back the new names more than it kept
// old ones).
export const TEACH_TRAIN_ARGS: readonly string[] = [
  // Gentler than a first training's 5e-3: the model already knows most of the text. 4e-3 taught more of the teach
  // bench's held-out names but a single relabelled mention then spread to other drugs (bench/HISTORY.md, 12-05).
  '--lr',
  '0.002',
];
