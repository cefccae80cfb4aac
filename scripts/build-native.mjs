// Builds the optional BLAS addon (server/native -> server/native/build/Release/bioner_blas.node) with node-gyp.
// It needs a C compiler, OpenBLAS's headers and library (Debian: libopenblas-dev; scripts/setup-native.sh installs
// it) and Node's headers, which are taken from this Node's own install (<prefix>/include/node) so nothing is
// downloaded. node-gyp is the copy npm ships (npm sets npm_config_node_gyp for scripts).
//
//   node scripts/build-native.mjs              fails (exit 1) when the addon can't be built
//   node scripts/build-native.mjs --optional   prints why and exits 0 (npm's postinstall: wasm's matMul is used)
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const optional = process.argv.includes('--optional');
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const nativeDir = join(repo, 'server', 'native');
const addon = join(nativeDir, 'build', 'Release', 'bioner_blas.node');
const log = (line) => process.stderr.write(`build-native: ${line}\n`);

function giveUp(reason) {
  log(`${reason}; the wasm backend's own matMul will be used`);
  process.exit(optional ? 0 : 1);
}

if (process.env.BIONER_BLAS === '0') giveUp('BIONER_BLAS=0');
const blasHeader = ['/usr/include/cblas.h', '/usr/include/x86_64-linux-gnu/cblas.h', '/usr/include/openblas/cblas.h'].find(existsSync);
if (!blasHeader) giveUp('no cblas.h (install libopenblas-dev, or run scripts/setup-native.sh)');

const nodeGyp =
  process.env.npm_config_node_gyp ??
  [join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js')].find(existsSync);
if (!nodeGyp) giveUp('node-gyp not found (it ships with npm)');
// Node's headers from this install, so node-gyp does not download them.
const nodeDir = resolve(dirname(process.execPath), '..');
const nodeDirArgs = existsSync(join(nodeDir, 'include', 'node', 'node_api.h')) ? [`--nodedir=${nodeDir}`] : [];

const result = spawnSync(process.execPath, [nodeGyp, 'rebuild', ...nodeDirArgs, '--loglevel=warn'], { cwd: nativeDir, stdio: 'inherit' });
if (result.status !== 0) {
  rmSync(join(nativeDir, 'build'), { recursive: true, force: true }); // no half-built addon left to load
  giveUp(`node-gyp failed (exit ${result.status})`);
}
// Loading it here catches a library that links but does not load (e.g. libopenblas.so.0 missing at run time).
const probe = spawnSync(process.execPath, ['-e', `const b = require(${JSON.stringify(addon)}); console.log(b.config())`], { encoding: 'utf8' });
if (probe.status !== 0) {
  rmSync(join(nativeDir, 'build'), { recursive: true, force: true });
  giveUp(`the built addon does not load: ${probe.stderr.trim().split('\n')[0]}`);
}
log(`built ${addon} (${probe.stdout.trim()})`);
