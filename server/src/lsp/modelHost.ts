import type { EntityPrediction } from '../types';
import { loadPassesAsync } from '../tagging/load';
import { DOCUMENT_PASSES, type DocumentPass } from '../tagging/passes';
import { resolveDocument } from '../tagging/pipeline';
import { segment } from '../tagging/segmenter';
import type { TextTagger } from '../tagging/tagger';
import { WorkerTagger, type PreparedWorker } from '../tagging/workerTagger';
import type { ReloadModelResult } from './protocol';

/**
 * A tagger whose requests can be abandoned and jump the queue (WorkerTagger); plain TextTaggers simply ignore the
 * signal and the urgency.
 */
export interface CancellableTagger extends TextTagger {
  tagSentences(sentences: string[], signal?: AbortSignal, urgent?: boolean): Promise<EntityPrediction[][]>;
  /** Live tensors of the model (WorkerTagger), for bioner/debugStats. */
  stats?(): Promise<{ numTensors: number }>;
}

export interface ModelHostHooks {
  /** A user-facing error (the server shows it with window/showMessage and logs it). */
  error(message: string): void;
  log(message: string): void;
  /** The model changed (loaded, replaced, or lost): every cached entity is stale. */
  changed(tagger: CancellableTagger | undefined): void;
}

export type StartTagger = (dir: string, onExit: (error: Error) => void) => Promise<CancellableTagger>;

const startWorker: StartTagger = (dir, onExit) => WorkerTagger.start(dir, { onExit });

/** Loads the first model in `prepared` (a worker started ahead: earlyWorker.ts), every later one in a new worker. */
export function startingWith(prepared: PreparedWorker): StartTagger {
  let first: PreparedWorker | undefined = prepared;
  return (dir, onExit) => {
    const worker = first;
    first = undefined;
    return worker ? worker.load(dir, { onExit }) : startWorker(dir, onExit);
  };
}

/**
 * Owns the model of the language server: loads it in a worker thread, swaps it when the `bioner.model` setting
 * changes or on bioner/reloadModel, and reports a missing or broken model without ever stopping the server.
 * Loads run one after another; the last one asked for wins.
 */
export class ModelHost {
  /** Incremented whenever the model changes, so results of an older model are never cached or shown. */
  generation = 0;
  /** The passes after the current model (its terms.tsv, then DOCUMENT_PASSES): tagging/pipeline.ts. */
  passes: readonly DocumentPass[] = DOCUMENT_PASSES;
  private tagger: CancellableTagger | undefined;
  private dir: string | undefined;
  private failed: { dir: string; reason: string } | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private pendingLoads = 0;

  constructor(
    private readonly hooks: ModelHostHooks,
    private readonly start: StartTagger = startWorker,
  ) {}

  get current(): CancellableTagger | undefined {
    return this.tagger;
  }

  get loading(): boolean {
    return this.pendingLoads > 0;
  }

  /** The model once every requested load has finished (undefined if none could be loaded). */
  async ready(): Promise<CancellableTagger | undefined> {
    while (this.pendingLoads > 0) await this.queue.catch(() => undefined);
    return this.tagger;
  }

  /**
   * Loads `dir` unless it is already the loaded model (`force` reloads it anyway, e.g. after retraining). `dir` may
   * be a promise (settings still being fetched): documents wait for this load from the moment it is asked for.
   */
  load(dir: string | Promise<string>, force = false): Promise<ReloadModelResult> {
    this.pendingLoads++;
    const run = this.queue.then(async () => this.loadNow(await dir, force)).finally(() => this.pendingLoads--);
    this.queue = run.catch(() => undefined);
    return run;
  }

  dispose(): void {
    this.tagger?.dispose();
    this.tagger = undefined;
  }

  private async loadNow(dir: string, force: boolean): Promise<ReloadModelResult> {
    if (!force && this.tagger && this.dir === dir) {
      return { modelName: this.tagger.modelName, labels: this.tagger.labels };
    }
    // The same broken directory again (another setting changed): said once already; bioner/reloadModel retries.
    if (!force && this.failed?.dir === dir) return { error: this.failed.reason };
    this.hooks.log(`loading model ${dir}`);
    const started = performance.now();
    let next: CancellableTagger;
    let passes: readonly DocumentPass[];
    try {
      // The worker loads the model in its thread while this one reads terms.tsv (asynchronously: requests are
      // answered meanwhile) for the passes, which run here, and runs them once on a small note: the first colours
      // wait for the model, not for the passes' first-use set-up as well. A malformed terms.tsv stops the worker.
      const starting = this.start(dir, (error) => this.lost(next, error));
      starting.catch(() => undefined); // awaited below; a failure is handled there, not reported as unhandled meanwhile
      try {
        passes = await loadPassesAsync(dir);
      } catch (error) {
        starting.then((tagger) => tagger.dispose(), () => undefined);
        throw error;
      }
      try {
        warmUp(passes);
      } catch (error) {
        // Only a head start: a pass that fails here fails on documents too, where it is reported.
        this.hooks.log(`warming up the document passes failed: ${error instanceof Error ? error.message : String(error)}`);
      }
      next = await starting;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const kept = this.tagger ? ` Still using the model "${this.tagger.modelName}".` : ' No entities will be shown.';
      this.hooks.error(`BioNER: cannot load the model ${dir}: ${reason}.${kept}`);
      this.failed = { dir, reason };
      return { error: reason };
    }
    this.failed = undefined;
    const previous = this.tagger;
    this.tagger = next;
    this.passes = passes;
    this.dir = dir;
    this.generation++;
    previous?.dispose();
    this.hooks.log(`model "${next.modelName}" loaded in ${Math.round(performance.now() - started)} ms (labels ${next.labels.join(', ')})`);
    this.hooks.changed(next);
    return { modelName: next.modelName, labels: next.labels };
  }

  private lost(tagger: CancellableTagger, error: Error): void {
    if (tagger !== this.tagger) return;
    this.tagger = undefined;
    this.dir = undefined;
    this.generation++;
    this.hooks.error(`BioNER: the model "${tagger.modelName}" stopped (${error.message}). Reload it with "BioNER: Reload model".`);
    this.hooks.changed(undefined);
  }
}

/** A short clinical note with a section heading, shorthand, an abbreviation, negation, history, family and a plan. */
const WARM_UP_NOTE =
  'Past medical history: HTN and type 2 diabetes mellitus (T2DM).\n\nHPI: Denies chest pain. Mother had breast cancer.\n\nPlan: return if fever develops.\n';
const WARM_UP_ENTITIES = ['type 2 diabetes mellitus', 'chest pain', 'breast cancer', 'fever'];

/**
 * Segments the warm-up note and runs the passes over it once, so that what they build on first use (trigger tables,
 * section and shorthand patterns, compiled regular expressions) is ready before the first document comes in.
 */
function warmUp(passes: readonly DocumentPass[]): void {
  const text = WARM_UP_NOTE;
  const entities: EntityPrediction[] = WARM_UP_ENTITIES.map((name) => {
    const start = text.indexOf(name);
    return { start, end: start + name.length, label: 'DISEASE', text: name, confidence: 0.99 };
  });
  resolveDocument(text, entities, segment(text, 'clinical-note'), { languageId: 'clinical-note', passes });
}
