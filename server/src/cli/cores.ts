// Thread counts from the command line are capped at the machine's cores: each thread holds its own copy of the model
// (hundreds of MB), so `--workers 500` only multiplied memory and `--workers 1000000` never started.
import { availableParallelism } from 'node:os';

/** `requested`, or the number of cores when it is more (said on stderr, naming the flag). */
export function capAtCores(requested: number, flag: string, stderr: NodeJS.WritableStream = process.stderr, cores = availableParallelism()): number {
  if (requested <= cores) return requested;
  stderr.write(`bioner: ${flag} ${requested} is more than the ${cores} core${cores === 1 ? '' : 's'} here; using ${cores}\n`);
  return cores;
}
