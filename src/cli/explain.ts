/**
 * `char-attention explain`: explain a model's output per character with
 * the methods of the registry (`explain/registry.ts`) and print the payload
 * v1 JSON (several methods = several series rows of one sample) or write
 * the standalone HTML with `-o`. The methods, their options and the help
 * text come from the registry: nothing here is specific to one method.
 */
import * as path from 'path';
import { EXPLAIN_METHODS } from '../explain/registry';
import { IExplanation } from '../explain/types';
import { explanationSample } from '../text/samples';
import { IPaddedText } from '../text/tokenizer';
import { IBatchPayload, ISample } from '../payload/types';
import {
  IOptionSpec,
  parseArgs,
  reportError,
  writeNotices,
  writeStdout
} from './encode';
import {
  flagUsage,
  methodFlagSpec,
  methodHelp,
  methodOptions,
  methodRequests
} from './method-flags';
import { describeModelError, MODEL_OPTIONS, writePayload } from './model-run';
import {
  encodeForRun,
  inputMeta,
  IPoolRun,
  modelMeta,
  openPoolRun,
  streamRun
} from './pool-run';

function usage(): string {
  const help = methodHelp();
  return `Usage: char-attention explain --model PATH [--tokenizer JSON]
         --method ${EXPLAIN_METHODS.join('|')}[,...]
         [${methodOptions().map(flagUsage).join('] [')}] [--layer NAME] [--lambda NAME=EXPR]...
         [--maxlen N] [--padding pre|post] [--truncating pre|post]
         [--json | -o OUT.html] [--workers N] [--file F]... TEXT...

Explain a Keras or TensorFlow.js model's output per character, with or
without an attention layer, and print the payload v1 JSON (several methods
become several rows of each text's table) or write the standalone HTML.
f is the sigmoid probability, or for softmax the predicted class (--target).

  --method M[,M...]
${help.methods}
${help.options}
  --model, --config, --tokenizer, --layer, --lambda, --maxlen, --padding,
  --truncating, --lower, --file, --json, -o, --workers, --max-length,
  --max-layers, --max-nesting   as for char-attention
                       predict (--file streams JSONL, one payload per text)
  -h, --help           show this help

A model with a variable input length runs each text at its own length (as
Keras on that text alone) unless --maxlen pads them all. Texts longer than
the input length are truncated as Keras pad_sequences does (the cut
characters are masked), with a notice on stderr, as are characters missing
from the vocabulary and integrated gradients that did not reach their
tolerance. Exit code 1 when the model or a file cannot be read or a method
cannot run this model, 2 for a command-line mistake.
`;
}

export const EXPLAIN_USAGE = usage();

const EXPLAIN_OPTIONS: IOptionSpec = {
  ...MODEL_OPTIONS,
  ...methodFlagSpec()
};

export async function explainCommand(args: string[]): Promise<number> {
  let run: IPoolRun | null = null;
  try {
    const parsed = parseArgs(args, EXPLAIN_OPTIONS);
    if (parsed.flags.has('--help')) {
      await writeStdout(EXPLAIN_USAGE);
      return 0;
    }
    const requests = methodRequests(parsed, true);
    run = await openPoolRun(parsed, 'explain');
    const current = run;
    // Every method over the texts, in the worker pool; one sample per text.
    const explain = async (
      items: IPaddedText[],
      first: number
    ): Promise<ISample[]> => {
      const sequences = items.map(item => item.padded);
      const perMethod: IExplanation[][] = [];
      for (const request of requests) {
        perMethod.push(await current.pool.explain(sequences, request));
      }
      return items.map((item, i) => {
        const explanations = perMethod.map(list => list[i]);
        for (const explanation of explanations) {
          writeNotices(
            'explain',
            explanation.notices.map(n => `text ${first + i + 1}: ${n}`)
          );
        }
        const sample = explanationSample(item, explanations);
        sample.meta = {
          ...modelMeta(current),
          ...sample.meta,
          ...inputMeta(current, item)
        };
        return sample;
      });
    };
    const heading = 'Character explanation';
    if (run.files.length) {
      await streamRun(
        run,
        parsed,
        'explain',
        `${heading}: ${path.basename(run.mainFile)}`,
        explain
      );
      return 0;
    }
    const items = encodeForRun(run, parsed.positional, 'explain');
    const payload: IBatchPayload = {
      version: 1,
      samples: await explain(items, 0),
      meta: { ...run.pipeline.meta() }
    };
    await writePayload(payload, run, 'explain', heading);
    return 0;
  } catch (error) {
    return reportError('explain', describeModelError(error), EXPLAIN_USAGE);
  } finally {
    run?.pool.dispose();
  }
}
