// `eve version`: prints the versions of evejs and of the runtime it runs on.
import type { Command } from 'commander';
import { CLI_VERSION } from '../version.js';

export function registerVersionCommand(program: Command): void {
  program
    .command('version')
    .description('print the evejs version, Node version and platform')
    .action(() => {
      process.stdout.write(`evejs ${CLI_VERSION}\nnode ${process.version} (${process.platform}-${process.arch})\n`);
    });
}
