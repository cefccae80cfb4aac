/**
 * An error caused by the user's input (a file, a flag, a model directory). Its message names the file (and line)
 * and what is wrong; the CLI prints it without a stack trace and exits non-zero, the server shows it and keeps running.
 */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

/** `file:line: message`, the one shape of every input error. */
export function inputError(file: string, line: number | undefined, message: string): UserError {
  return new UserError(line === undefined ? `${file}: ${message}` : `${file}:${line}: ${message}`);
}
