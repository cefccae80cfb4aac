// The BioNER-specific part of the language server protocol, shared by the server and the VS Code client.
// Keep this file free of runtime dependencies so the client bundle can import it.

/**
 * Request (or notification) client -> server: reload the model named by `bioner.model` (e.g. after retraining).
 * With `{force: false}` it only makes sure the configured model is the loaded one, and answers once it is.
 */
export const ReloadModelMethod = 'bioner/reloadModel';
export interface ReloadModelParams {
  /** Default true: load again even if this directory is the loaded model. */
  force?: boolean;
}
/** Result of bioner/reloadModel. `error` is the user-facing reason when the model could not be loaded. */
export interface ReloadModelResult {
  modelName?: string;
  labels?: string[];
  error?: string;
}

/** Request client -> server, for leak and memory checks (tests, benches): live tensors of the model and memory. */
export const DebugStatsMethod = 'bioner/debugStats';
export interface DebugStatsResult {
  /** Live tfjs tensors in the model's worker (0 for a lexicon model or no model). */
  numTensors: number;
  /** Resident set size of the server process (worker threads included), bytes. */
  rss: number;
  heapUsed: number;
  openDocuments: number;
  /** Sentences the server has sent to the model since it started (the cache and incremental analysis keep it low). */
  sentencesTagged: number;
}

/** Notification server -> client, for the status bar: the model and the entity count of one document. */
export const StatusMethod = 'bioner/status';
export interface StatusParams {
  /** Undefined while no model is loaded. */
  modelName?: string;
  uri: string;
  entityCount: number;
  /** True while the document is being (re)tagged or the model is loading. */
  busy: boolean;
}

/** Server-side command behind the annotation code actions (args: one AnnotationEdit). */
export const EditAnnotationCommand = 'bioner.lsp.editAnnotation';

/**
 * Server-side command: mark a document's sidecar as fully annotated (every entity of the text is in it) or back to a
 * partial review. Args: one MarkReviewedParams.
 */
export const MarkReviewedCommand = 'bioner.lsp.markReviewed';
export interface MarkReviewedParams {
  uri: string;
  complete: boolean;
}

/**
 * Semantic token types, fixed at initialize: one per entity label (lower-cased); labels outside this list use the
 * generic `entity`. Clients declare these in `contributes.semanticTokenTypes`.
 */
export const ENTITY_TOKEN_TYPES = [
  'disease',
  'drug',
  'chemical',
  'gene',
  'protein',
  'species',
  'dna',
  'rna',
  'cell_line',
  'cell_type',
  'anatomy',
  'variant',
  'entity',
] as const;

/**
 * Semantic token modifiers: `uncertain` marks entities whose confidence is below `bioner.confidenceThreshold`; the
 * others come from the entity's clinical context (its assertion): `negated` ("denies chest pain"), `historical`
 * ("history of AF"), `hypothetical` ("return if fever"), `family` (someone else's: "mother had breast cancer").
 */
export const ENTITY_TOKEN_MODIFIERS = ['uncertain', 'negated', 'historical', 'hypothetical', 'family'] as const;
