/**
 * `char-attention` command-line entry: dispatches to one module per subcommand.
 */
import { renderCommand } from './render';
import { predictCommand } from './predict';
import { encodeCommand } from './encode';
import { alignCommand } from './align';
import { explainCommand } from './explain';
import { evaluateCommand } from './evaluate';
import { terminalSafe } from './terminal';
import { messageOf } from '../payload/error-message';

/** A subcommand takes its arguments and resolves to the process exit code. */
export type Subcommand = (args: string[]) => Promise<number>;

const SUBCOMMANDS: { [name: string]: { run: Subcommand; summary: string } } = {
  render: {
    run: renderCommand,
    summary:
      'render PAYLOAD.json|- [-o OUT.html]   payload v1 -> standalone HTML'
  },
  predict: {
    run: predictCommand,
    summary:
      'predict --model PATH [--tokenizer JSON] ... TEXT...   run a Keras/tfjs model, print the payload'
  },
  explain: {
    run: explainCommand,
    summary:
      'explain --model PATH --method occlusion|grad-x-input|integrated-gradients|attention ... TEXT...   per-character explanation'
  },
  evaluate: {
    run: evaluateCommand,
    summary:
      'evaluate --model PATH --file F.csv|.tsv|.jsonl|.txt [--method M,...] [--json | -o REPORT.html]   labelled file -> per-row metrics, faithfulness, summary'
  },
  encode: {
    run: encodeCommand,
    summary:
      'encode --tokenizer JSON [--maxlen N] ... TEXT...   texts -> padded integer sequences (as Keras)'
  },
  align: {
    run: alignCommand,
    summary:
      'align --tokenizer JSON --attention ATT.json ... TEXT...   model-position attention -> payload'
  }
};

export function usage(): string {
  const lines = Object.keys(SUBCOMMANDS).map(
    name => `  char-attention ${SUBCOMMANDS[name].summary}`
  );
  return [
    'Usage:',
    ...lines,
    '',
    'Run `char-attention <command> --help` for details.'
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    process.stdout.write(usage() + '\n');
    return name ? 0 : 2;
  }
  const command = SUBCOMMANDS[name];
  if (!command) {
    process.stderr.write(
      `char-attention: unknown command '${terminalSafe(name)}'\n${usage()}\n`
    );
    return 2;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    // Subcommands report expected failures themselves; this is the last guard.
    const message = messageOf(error);
    process.stderr.write(`char-attention ${name}: ${terminalSafe(message)}\n`);
    return 1;
  }
}
