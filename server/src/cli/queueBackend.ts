// Loads the queue backend (server/src/bulk/queue/index.ts): from its own bundle beside the CLI's (dist/queue.js), so
// that the CLI bundle carries no networking code; from the sources when run through tsx.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors';

type QueueBackend = typeof import('../bulk/queue/index');

export async function loadQueueBackend(): Promise<QueueBackend> {
  const bundle = join(__dirname, 'queue.js');
  if (existsSync(bundle)) return require(bundle) as QueueBackend;
  // Not a literal, so that esbuild leaves it out of the CLI bundle.
  const sources = ['..', 'bulk', 'queue', 'index'].join('/');
  try {
    return (await import(sources)) as QueueBackend;
  } catch {
    throw new UserError(`the queue backend (${bundle}) is not part of this installation (the editor extension leaves it out): use the bioner command of a full build (npm run build)`);
  }
}
