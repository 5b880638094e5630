/**
 * The `eve` command line. Each command lives in `commands/<name>.ts` and registers itself on the
 * program; this file only assembles them and turns errors into clear messages and exit codes.
 */
import { Command, CommanderError } from 'commander';
import { EveError } from '@evejs/tensor';
import { registerDataCommand } from './commands/data.js';
import { registerDemoCommand } from './commands/demo.js';
import { registerEnvCommand } from './commands/env.js';
import { registerEvalCommand } from './commands/eval.js';
import { registerForwardCommand } from './commands/forward.js';
import { registerChatCommand } from './commands/chat.js';
import { registerConvertCommand } from './commands/convert.js';
import { registerPreprocessCommand } from './commands/preprocess.js';
import { registerServeCommand } from './commands/serve.js';
import { registerTokenizeCommand } from './commands/tokenize.js';
import { registerTrainCommand } from './commands/train.js';
import { registerDetokenizeCommand } from './commands/detokenize.js';
import { registerVersionCommand } from './commands/version.js';
import { CLI_VERSION } from './version.js';

/** Builds the program with every command registered. */
export function buildProgram(): Command {
  const program = new Command('eve')
    .description('EVE, the encoder-free vision-language model, in TypeScript')
    .version(CLI_VERSION, '-V, --version', 'print the evejs version')
    .showHelpAfterError()
    .exitOverride();
  registerVersionCommand(program);
  registerTokenizeCommand(program);
  registerDetokenizeCommand(program);
  registerEnvCommand(program);
  registerForwardCommand(program);
  registerChatCommand(program);
  registerConvertCommand(program);
  registerDataCommand(program);
  registerPreprocessCommand(program);
  registerServeCommand(program);
  registerDemoCommand(program);
  registerEvalCommand(program);
  registerTrainCommand(program);
  return program;
}

let quietOnClosedStdout = false;

/**
 * A reader that stops early (`eve eval score … | head`) closes stdout under us: the next write
 * fails with EPIPE, which Node raises as an unhandled error with a stack trace. Like other Unix
 * tools, stop quietly instead; any other stdout error is still raised.
 */
function exitQuietlyOnClosedStdout(): void {
  if (quietOnClosedStdout) return;
  quietOnClosedStdout = true;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(process.exitCode ?? 0);
  });
}

/** Runs the CLI and returns the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  exitQuietlyOnClosedStdout();
  const program = buildProgram();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    if (err instanceof EveError) {
      process.stderr.write(`eve: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
