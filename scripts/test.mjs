// Runs every test file under test/ with Node's built-in test runner (TypeScript through tsx).
// Usage: node scripts/test.mjs [substring filter...]
import { globSync } from 'tinyglobby';
import { spawnSync } from 'node:child_process';

const filters = process.argv.slice(2);
let files = globSync(['test/**/*.test.ts'], { ignore: ['**/node_modules/**'] }).sort();
if (filters.length) files = files.filter((f) => filters.some((s) => f.includes(s)));
const build = spawnSync(process.execPath, ['esbuild.mjs'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const run = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...files], { stdio: 'inherit' });
process.exit(run.status ?? 1);
