/**
 * `char-attention explain`: explain a model's output per character with
 * the methods of the registry (`explain/registry.ts`) and print the payload
 * v1 JSON (several methods = several series rows of one sample) or write
 * the standalone HTML with `-o`. The methods, their options and the help
 * text come from the registry: nothing here is specific to one method.
 */
import { IExplainOptions, IExplanation } from '../explain/types';
import { explanationSample } from '../explain/samples';
import { IPaddedText } from '../text/tokenizer';
import { ISample } from '../payload/types';
import { IOptionSpec, writeNotices } from './encode';
import {
  flagUsage,
  methodFlagSpec,
  methodHelp,
  methodOptions,
  methodRequests
} from './method-flags';
import { EXPLAIN_METHODS } from '../explain/registry';
import { MODEL_OPTIONS } from './model-run';
import { inputMeta, IPoolRun, modelMeta, runPoolCommand } from './pool-run';

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

export function explainCommand(args: string[]): Promise<number> {
  return runPoolCommand(args, {
    name: 'explain',
    usage: EXPLAIN_USAGE,
    options: EXPLAIN_OPTIONS,
    heading: 'Character explanation',
    prepare: parsed => {
      const requests = methodRequests(parsed, true);
      return run => Private.explainer(run, requests);
    }
  });
}

namespace Private {
  /** Every method over the texts, in the worker pool; one sample per text. */
  export function explainer(
    run: IPoolRun,
    requests: IExplainOptions[]
  ): (items: IPaddedText[], first: number) => Promise<ISample[]> {
    return async (items, first) => {
      const sequences = items.map(item => item.padded);
      const perMethod: IExplanation[][] = [];
      for (const request of requests) {
        perMethod.push(await run.pool.explain(sequences, request));
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
          ...modelMeta(run),
          ...sample.meta,
          ...inputMeta(run, item)
        };
        return sample;
      });
    };
  }
}
