// Real paths (symbolic links resolved), for comparing an output folder with an input or model folder that it may
// reach through a link: `bioner tag --out`, `bioner train --out` against `--init-model`.
import { realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/** The real path of `path`; for a path that does not exist yet, its nearest existing folder's real path plus the rest. */
export function realPathOf(path: string): string {
  const absolute = resolve(path);
  try {
    return realpathSync(absolute);
  } catch {
    const parent = dirname(absolute);
    return parent === absolute ? absolute : join(realPathOf(parent), basename(absolute));
  }
}
