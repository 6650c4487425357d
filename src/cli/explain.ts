/**
 * `char-attention explain`: explain a model's output per character with
 * the methods of the registry (`explain/registry.ts`) and print the payload
 * v1 JSON (several methods = several series rows of one sample) or write
 * the standalone HTML with `-o`. The methods, their options and the help
 * text come from the registry: nothing here is specific to one method.
 */
import {
  checkExplainOptions,
  EXPLAIN_METHODS,
  isExplainMethod,
  methodDescriptions
} from '../explain/registry';
import { IExplainOptions, IExplanation, IMethodOption } from '../explain/types';
import { explanationSample } from '../explain/samples';
import { IPaddedText } from '../text/tokenizer';
import { ModelError } from '../model/types';
import { ISample } from '../payload/types';
import {
  IOptionSpec,
  IParsedArgs,
  optionValue,
  UsageError,
  writeNotices
} from './encode';
import { MODEL_OPTIONS } from './model-run';
import { inputMeta, IPoolRun, modelMeta, runPoolCommand } from './pool-run';

/** Every method option once (by name), in the order the methods declare them. */
function methodOptions(): IMethodOption[] {
  const seen = new Map<string, IMethodOption>();
  for (const method of methodDescriptions()) {
    for (const option of method.options) {
      if (!seen.has(option.name)) {
        seen.set(option.name, option);
      }
    }
  }
  return [...seen.values()];
}

/** `--steps N`: the flag of an option. */
function flagOf(option: IMethodOption): string {
  return `--${option.name.replace(/[A-Z]/g, c => `-${c.toLowerCase()}`)}`;
}

function usage(): string {
  const methods = methodDescriptions();
  const pad = (text: string) => text.padEnd(21);
  const methodLines = methods
    .map(m => `                       ${m.id}: ${m.description}`)
    .join('\n');
  const optionLines = methodOptions()
    .map(o => {
      const users = methods
        .filter(m => m.options.some(x => x.name === o.name))
        .map(m => m.id);
      const owner =
        users.length === methods.length - 1 ? '' : `${users.join(', ')}: `;
      const fallback =
        o.defaultValue === null
          ? o.placeholder
            ? ` (default: ${o.placeholder})`
            : ''
          : ` (default ${o.defaultValue})`;
      return `  ${pad(`${flagOf(o)} ${o.kind === 'integer' ? 'N' : 'X'}`)}${owner}${o.help}${fallback}`;
    })
    .join('\n');
  return `Usage: char-attention explain --model PATH [--tokenizer JSON]
         --method ${EXPLAIN_METHODS.join('|')}[,...]
         [${methodOptions()
           .map(o => `${flagOf(o)} ${o.kind === 'integer' ? 'N' : 'X'}`)
           .join('] [')}] [--layer NAME] [--lambda NAME=EXPR]...
         [--maxlen N] [--padding pre|post] [--truncating pre|post]
         [--json | -o OUT.html] [--workers N] [--file F]... TEXT...

Explain a Keras or TensorFlow.js model's output per character, with or
without an attention layer, and print the payload v1 JSON (several methods
become several rows of each text's table) or write the standalone HTML.
f is the sigmoid probability, or for softmax the predicted class (--target).

  --method M[,M...]
${methodLines}
${optionLines}
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
  '--method': { value: true },
  ...Object.fromEntries(
    methodOptions().map(o => [flagOf(o), { value: true }] as const)
  )
};

export function explainCommand(args: string[]): Promise<number> {
  return runPoolCommand(args, {
    name: 'explain',
    usage: EXPLAIN_USAGE,
    options: EXPLAIN_OPTIONS,
    heading: 'Character explanation',
    prepare: parsed => {
      const requests = Private.requests(parsed);
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

  /** --method list and its options, checked before the model loads. */
  export function requests(parsed: IParsedArgs): IExplainOptions[] {
    const given = optionValue(parsed, '--method');
    if (given === undefined) {
      throw new UsageError(
        `--method is required (${EXPLAIN_METHODS.join(', ')}; several with commas)`
      );
    }
    const methods = given
      .split(',')
      .map(m => m.trim())
      .filter(Boolean);
    for (const m of methods) {
      if (!isExplainMethod(m)) {
        throw new UsageError(
          `unknown method '${m}' (methods: ${EXPLAIN_METHODS.join(', ')})`
        );
      }
    }
    if (!methods.length || new Set(methods).size !== methods.length) {
      throw new UsageError(
        `--method needs distinct methods, got '${given}' (methods: ${EXPLAIN_METHODS.join(', ')})`
      );
    }
    const values: { [name: string]: number } = {};
    for (const option of methodOptions()) {
      const value = Private.number(parsed, option);
      if (value !== undefined) {
        Private.checkUsed(option, methods);
        values[option.name] = value;
      }
    }
    return methods.map(method => {
      const request: IExplainOptions = { ...values, method };
      try {
        checkExplainOptions(request);
      } catch (error) {
        if (error instanceof ModelError) {
          throw new UsageError(`--${error.message}`);
        }
        throw error;
      }
      return request;
    });
  }

  /** Refuses an option none of the chosen methods takes (it would be ignored). */
  export function checkUsed(option: IMethodOption, chosen: string[]): void {
    const takers: string[] = methodDescriptions()
      .filter(m => m.options.some(o => o.name === option.name))
      .map(m => m.id);
    if (chosen.some(m => takers.includes(m))) {
      return;
    }
    const list = (ids: string[], last: string) =>
      ids.length < 2
        ? ids.join('')
        : `${ids.slice(0, -1).join(', ')} ${last} ${ids[ids.length - 1]}`;
    throw new UsageError(
      `${flagOf(option)} is not used by ${list(chosen, 'or')}: only ` +
        `${list(takers, 'and')} ${takers.length > 1 ? 'take' : 'takes'} it`
    );
  }

  export function number(
    parsed: IParsedArgs,
    option: IMethodOption
  ): number | undefined {
    const flag = flagOf(option);
    const text = optionValue(parsed, flag);
    if (text === undefined) {
      return undefined;
    }
    const pattern =
      option.kind === 'integer'
        ? /^\s*-?\d+\s*$/
        : /^\s*-?(\d+\.?\d*|\.\d+)(e-?\d+)?\s*$/i;
    if (!pattern.test(text)) {
      throw new UsageError(
        `${flag} must be ${option.kind === 'integer' ? 'an integer' : 'a number'}, got '${text}'`
      );
    }
    return Number(text);
  }
}
