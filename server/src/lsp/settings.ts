import { resolveModelPath } from '../model/folder';

/** The `bioner.*` settings the server reads (the document selector is the client's business). */
export interface BionerSettings {
  /** Model directory; empty means the shipped model (models/default beside the server bundle). */
  model: string;
  /** Entities below this confidence get the `uncertain` modifier (and an Information diagnostic). */
  confidenceThreshold: number;
  /** `off`: none; `uncertain`: uncertain entities + .ann disagreements; `all`: every entity + .ann disagreements. */
  diagnostics: 'off' | 'uncertain' | 'all';
  /** Labels shown (case-insensitive); empty shows every label. */
  labels: string[];
  /** Bytes; bigger files are tagged only in the requested visible range. */
  maxFileSize: number;
  /** False: negated entities ("denies chest pain") get no diagnostic of their own in the Problems panel. */
  negatedInProblems: boolean;
}

export const DEFAULT_SETTINGS: BionerSettings = {
  model: '',
  confidenceThreshold: 0.5,
  diagnostics: 'uncertain',
  labels: [],
  maxFileSize: 1024 * 1024,
  negatedInProblems: true,
};

/** Reads whatever the client sent for the `bioner` section; wrong types fall back to the defaults (logged). */
export function parseSettings(raw: unknown, warn: (message: string) => void = () => {}): BionerSettings {
  const settings = { ...DEFAULT_SETTINGS };
  if (!raw || typeof raw !== 'object') return settings;
  const r = raw as Record<string, unknown>;
  const bad = (key: string): void => warn(`bioner.${key}: ignoring invalid value ${JSON.stringify(r[key])}`);
  if (r.model !== undefined && r.model !== null) {
    if (typeof r.model === 'string') settings.model = r.model.trim();
    else bad('model');
  }
  if (r.confidenceThreshold !== undefined) {
    if (typeof r.confidenceThreshold === 'number' && r.confidenceThreshold >= 0 && r.confidenceThreshold <= 1) {
      settings.confidenceThreshold = r.confidenceThreshold;
    } else bad('confidenceThreshold');
  }
  if (r.diagnostics !== undefined) {
    if (r.diagnostics === 'off' || r.diagnostics === 'uncertain' || r.diagnostics === 'all') settings.diagnostics = r.diagnostics;
    else bad('diagnostics');
  }
  if (r.labels !== undefined) {
    if (Array.isArray(r.labels) && r.labels.every((l) => typeof l === 'string')) settings.labels = r.labels as string[];
    else bad('labels');
  }
  if (r.maxFileSize !== undefined) {
    if (typeof r.maxFileSize === 'number' && r.maxFileSize > 0) settings.maxFileSize = r.maxFileSize;
    else bad('maxFileSize');
  }
  if (r.negatedInProblems !== undefined) {
    if (typeof r.negatedInProblems === 'boolean') settings.negatedInProblems = r.negatedInProblems;
    else bad('negatedInProblems');
  }
  return settings;
}

/** The model directory to load: the setting (relative paths against the first workspace folder) or the shipped one. */
export function resolveModelDir(settings: BionerSettings, workspaceRoot: string | undefined): string {
  return resolveModelPath(settings.model, workspaceRoot);
}

/** Whether an entity label is shown under the `bioner.labels` setting. */
export function labelShown(settings: BionerSettings, label: string): boolean {
  return settings.labels.length === 0 || settings.labels.some((l) => l.toLowerCase() === label.toLowerCase());
}
