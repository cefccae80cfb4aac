// Atomic writes for model files and checkpoints: the one implementation lives in formats/atomicWrite.ts (temp file
// in the same directory, fsync, rename). Kept under this name for the model code that imports it from here.
export { writeFileAtomicSync as writeFileAtomic } from '../formats/atomicWrite';
