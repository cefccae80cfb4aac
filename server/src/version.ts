// bioner's own version, from package.json: shown by `bioner --version` and the language server, and part of every
// bulk output's completion key (bulk/outputs.ts), so that an upgrade never calls an older bioner's outputs up to date.
import { version } from '../../package.json';

export const BIONER_VERSION: string = version;
