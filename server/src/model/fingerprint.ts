// A model folder's fingerprint: a hash of everything its tags depend on (config, weights, vocabularies, term list),
// so a resumed bulk run (bulk/outputs.ts) or a queued job can tell the outputs of this model from those of another
// model, or of the same folder after fine-tuning. The model card and other Markdown files do not change a tag and
// are left out; so are entries that are not regular files (a FIFO or a device is never read here).
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';

export function modelFingerprint(dir: string): string {
  const hash = createHash('sha256');
  const names = (readdirSync(dir, { recursive: true }) as string[]).filter((name) => !/\.md$/i.test(name)).sort();
  for (const name of names) {
    const path = join(dir, name);
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat?.isFile()) continue;
    hash.update(`${name.split(sep).join('/')}\0${stat.size}\0`);
    hash.update(readFileSync(path));
  }
  return hash.digest('hex');
}
