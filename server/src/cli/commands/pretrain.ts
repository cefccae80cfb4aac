// PLACEHOLDER: the owner of this command replaces this file.
import type { Command } from 'commander';

export function register(program: Command): void {
  program.command('pretrain').description('(not implemented yet)').action(() => {
    throw new Error('pretrain is not implemented yet');
  });
}
