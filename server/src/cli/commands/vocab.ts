// PLACEHOLDER: the owner of this command replaces this file.
import type { Command } from 'commander';

export function register(program: Command): void {
  program.command('vocab').description('(not implemented yet)').action(() => {
    throw new Error('vocab is not implemented yet');
  });
}
