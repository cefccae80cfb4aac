/** Something a reader repaired or skipped; returned to the caller (never printed by the format code itself). */
export interface FormatWarning {
  file: string;
  line?: number;
  message: string;
}

/** `file:line: message`, the same shape as input errors. */
export function formatWarning(w: FormatWarning): string {
  return w.line === undefined ? `${w.file}: ${w.message}` : `${w.file}:${w.line}: ${w.message}`;
}
