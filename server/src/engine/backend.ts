// Chooses and initialises the tfjs backend: tfjs-node when it is installed (optional native TensorFlow), else the
// WebAssembly backend, else the pure-JS CPU backend. Overridable by option or env BIONER_BACKEND=node|wasm|cpu.
import * as tf from '@tensorflow/tfjs-core';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UserError } from '../errors';
import { installGradientOverrides } from './gradients';
import { installLstmSequenceKernel } from './lstmSequenceKernel';
import { installLstmTrainingKernel } from './lstmTrainingKernel';
import { installBlasMatMul, type BlasInfo } from './nativeBlas';
import { installWasmKernels } from './wasmKernels';
// tfjs-core alone registers no gradients (the @tensorflow/tfjs union package normally does this).
import '@tensorflow/tfjs-core/dist/register_all_gradients';

export type BackendName = 'node' | 'wasm' | 'cpu';
export const BACKEND_NAMES: readonly BackendName[] = ['node', 'wasm', 'cpu'];

/** tfjs registers each backend under its own name; tfjs-node calls itself "tensorflow". */
const TFJS_NAME: Record<BackendName, string> = { node: 'tensorflow', wasm: 'wasm', cpu: 'cpu' };

export interface EngineInfo {
  backend: BackendName;
  threads: number;
  tfjsVersion: string;
  /** On wasm, when the native BLAS addon is loaded: matMuls run on it (see nativeBlas.ts). */
  blas?: BlasInfo;
  /** Why a preferred backend was skipped, if one was. */
  notes: string[];
}

let current: EngineInfo | undefined;
let pending: Promise<EngineInfo> | undefined;

/**
 * Initialises tfjs once per process (later calls return the same result unless a different backend is forced).
 * Order: explicit option, env BIONER_BACKEND, then node -> wasm -> cpu.
 */
export function initEngine(options: { backend?: BackendName } = {}): Promise<EngineInfo> {
  const wanted = options.backend ?? parseBackendEnv(process.env.BIONER_BACKEND);
  if (pending && (!wanted || current?.backend === wanted)) return pending;
  pending = start(wanted);
  return pending;
}

/** The engine info once initEngine has resolved (undefined before). */
export function engineInfo(): EngineInfo | undefined {
  return current;
}

function parseBackendEnv(value: string | undefined): BackendName | undefined {
  if (!value) return undefined;
  if ((BACKEND_NAMES as readonly string[]).includes(value)) return value as BackendName;
  throw new UserError(`BIONER_BACKEND=${value}: expected one of ${BACKEND_NAMES.join(', ')}`);
}

async function start(wanted: BackendName | undefined): Promise<EngineInfo> {
  const order: BackendName[] = wanted ? [wanted] : ['node', 'wasm', 'cpu'];
  const notes: string[] = [];
  for (const name of order) {
    try {
      if (!(await register(name))) {
        notes.push(`${name}: not installed`);
        continue;
      }
      if (!(await tf.setBackend(TFJS_NAME[name]))) {
        notes.push(`${name}: failed to initialise`);
        continue;
      }
      await tf.ready();
      installGradientOverrides();
      let blas: BlasInfo | undefined;
      if (name === 'wasm') {
        installWasmKernels();
        const installed = installBlasMatMul();
        blas = installed.info;
        if (installed.note) notes.push(installed.note);
      }
      installLstmSequenceKernel(name);
      installLstmTrainingKernel(name);
      current = { backend: name, threads: threadsOf(name), tfjsVersion: tf.version_core, notes, ...(blas ? { blas } : {}) };
      return current;
    } catch (e) {
      notes.push(`${name}: ${(e as Error).message}`);
    }
  }
  throw new UserError(`no usable tfjs backend (${notes.join('; ')})`);
}

/** Registers the backend's kernels with tfjs-core; false when its package is not installed. */
async function register(name: BackendName): Promise<boolean> {
  switch (name) {
    case 'node': {
      if (tf.findBackend('tensorflow')) return true;
      try {
        // Optional native backend. A plain require inside try/catch: esbuild leaves it external, and a missing
        // package is an ordinary "not installed" here.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        require('@tensorflow/tfjs-node');
      } catch {
        return false;
      }
      return tf.findBackend('tensorflow') !== null;
    }
    case 'wasm': {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      wasm.setWasmPaths(wasmDirectory() + '/');
      return true;
    }
    case 'cpu':
      await import('@tensorflow/tfjs-backend-cpu');
      return true;
  }
}

/**
 * Where the .wasm binaries are: beside the bundle in dist/ (esbuild copies them there), or, when running from
 * sources (tsx), in the package's own dist/.
 */
export function wasmDirectory(): string {
  if (existsSync(join(__dirname, 'tfjs-backend-wasm.wasm'))) return __dirname;
  return join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
}

function threadsOf(name: BackendName): number {
  // wasm in Node runs single-threaded (no SharedArrayBuffer workers); tfjs-node uses TensorFlow's own pool.
  if (name === 'wasm') return 1;
  if (name === 'cpu') return 1;
  return require('node:os').availableParallelism?.() ?? 1;
}
