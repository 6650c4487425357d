/**
 * `char-attention explain`: explain a model's output per character with
 * occlusion, gradient x input, integrated gradients or its attention, and
 * print the payload v1 JSON (several methods = several series rows of one
 * sample) or write the standalone HTML with `-o`.
 */
import * as path from 'path';
import { alignSample } from '../text/align';
import { resolveExplainOptions } from '../explain';
import {
  EXPLAIN_METHODS,
  ExplainMethod,
  IExplainOptions,
  IExplanation
} from '../explain/types';
import { IPaddedText, IResolvedPadOptions } from '../text/tokenizer';
import { IModelInfo, ModelError } from '../model/types';
import { IBatchPayload, ISample } from '../payload/types';
import {
  IParsedArgs,
  optionValue,
  parseArgs,
  reportError,
  UsageError,
  writeNotices,
  writeStdout
} from './encode';
import { describeModelError, MODEL_OPTIONS, writePayload } from './model-run';
import { encodeForRun, IPoolRun, openPoolRun, streamRun } from './pool-run';

export const EXPLAIN_USAGE = `Usage: char-attention explain --model PATH [--tokenizer JSON]
         --method occlusion|grad-x-input|integrated-gradients|attention[,...]
         [--window K] [--steps N] [--target K] [--layer NAME] [--lambda NAME=EXPR]...
         [--maxlen N] [--padding pre|post] [--truncating pre|post]
         [--json | -o OUT.html] [--workers N] [--file F]... TEXT...

Explain a Keras or TensorFlow.js model's output per character, with or
without an attention layer, and print the payload v1 JSON (several methods
become several rows of each text's table) or write the standalone HTML.
f is the sigmoid probability, or for softmax the predicted class (--target).

  --method M[,M...]    occlusion: f(x) - f(x with the id at t set to 0)
                       grad-x-input: sum_e df/dE[t,e] * E[t,e], E = Embedding output
                       integrated-gradients: baseline E = 0, Riemann midpoint rule
                       attention: the model's attention layer (--layer)
  --window K           occlusion: occlude K consecutive positions; window s covers
                       s..s+K-1 (clipped), its drop is spread evenly over them and
                       a position sums its shares (default 1)
  --steps N            integrated gradients: steps (default 32)
  --target K           output unit explained (default: the predicted class; unit 0
                       for a single output)
  --model, --config, --tokenizer, --layer, --lambda, --maxlen, --padding,
  --truncating, --lower, --file, --json, -o, --workers, --max-length,
  --max-layers, --max-nesting   as for char-attention
                       predict (--file streams JSONL, one payload per text)
  -h, --help           show this help

Texts longer than the input length are truncated as Keras pad_sequences does
(the cut characters are masked), with a notice on stderr, as are characters
missing from the vocabulary and integrated gradients whose completeness gap
is over 5%. Exit code 1 when the model or a file cannot be read or a method
cannot run this model, 2 for a command-line mistake.
`;

const EXPLAIN_OPTIONS = {
  ...MODEL_OPTIONS,
  '--method': { value: true },
  '--window': { value: true },
  '--steps': { value: true },
  '--target': { value: true }
};

/** The method as named in the table header. */
export function methodLabel(explanation: IExplanation): string {
  const meta = explanation.meta;
  switch (explanation.method) {
    case 'attention':
      return `attention (${meta.layer})`;
    case 'occlusion':
      return `occlusion (window ${meta.window})`;
    case 'grad-x-input':
      return 'gradient × input';
    default:
      return `integrated gradients (${meta.steps} steps, midpoint)`;
  }
}

export async function explainCommand(args: string[]): Promise<number> {
  let run: IPoolRun | null = null;
  try {
    const parsed = parseArgs(args, EXPLAIN_OPTIONS);
    if (parsed.flags.has('--help')) {
      await writeStdout(EXPLAIN_USAGE);
      return 0;
    }
    const requests = Private.requests(parsed);
    run = await openPoolRun(parsed, 'explain');
    const current = run;
    // Every method over the texts, in the worker pool; one sample per text.
    const explain = async (
      items: IPaddedText[],
      options: IResolvedPadOptions,
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
        return Private.sample(
          item,
          explanations,
          options.maxlen,
          current.mainFile,
          current
        );
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
    const { items, options } = encodeForRun(run, parsed.positional, 'explain');
    const payload: IBatchPayload = {
      version: 1,
      samples: await explain(items, options, 0)
    };
    await writePayload(payload, run, 'explain', heading);
    return 0;
  } catch (error) {
    return reportError('explain', describeModelError(error), EXPLAIN_USAGE);
  } finally {
    run?.pool.dispose();
  }
}

namespace Private {
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
      if (!(EXPLAIN_METHODS as ReadonlyArray<string>).includes(m)) {
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
    const integer = (name: string): number | undefined => {
      const text = optionValue(parsed, name);
      if (text === undefined) {
        return undefined;
      }
      if (!/^\s*-?\d+\s*$/.test(text)) {
        throw new UsageError(`${name} must be an integer, got '${text}'`);
      }
      return Number(text);
    };
    const window = integer('--window');
    const steps = integer('--steps');
    const target = integer('--target');
    return methods.map(method => {
      const request: IExplainOptions = {
        method: method as ExplainMethod,
        window,
        steps,
        target
      };
      try {
        resolveExplainOptions(request);
      } catch (error) {
        if (error instanceof ModelError) {
          throw new UsageError(`--${error.message}`);
        }
        throw error;
      }
      return request;
    });
  }

  /** One text's sample: one row per method, the method(s) in the header. */
  export function sample(
    item: Parameters<typeof alignSample>[0],
    explanations: IExplanation[],
    maxlen: number,
    mainFile: string,
    model: { info: IModelInfo }
  ): ISample {
    const aligned = explanations.map(e =>
      alignSample(item, e.values, maxlen, e.prediction)
    );
    const labels = explanations.map(methodLabel);
    const info = model.info;
    const meta: { [key: string]: unknown } = {
      model: path.basename(mainFile),
      format: info.format,
      ...(info.kerasVersion ? { kerasVersion: info.kerasVersion } : {}),
      method: explanations.map(e => e.method).join(', ')
    };
    for (const e of explanations) {
      const m = e.meta;
      switch (e.method) {
        case 'attention':
          meta.attentionLayer = m.layer;
          break;
        case 'occlusion':
          Object.assign(meta, {
            window: m.window,
            occlusionRule: m.rule,
            target: m.target
          });
          break;
        case 'grad-x-input':
          Object.assign(meta, { embeddingLayer: m.layer, target: m.target });
          break;
        default:
          Object.assign(meta, {
            steps: m.steps,
            rule: m.rule,
            gap: m.gap,
            gapRelative: m.gapRelative,
            target: m.target
          });
      }
    }
    const base = aligned[0];
    const result: ISample = {
      text: base.text,
      mask: base.mask,
      method: labels.join(' · '),
      meta
    };
    if (base.prediction !== undefined) {
      result.prediction = base.prediction;
    }
    if (explanations.length === 1) {
      result.attention = base.attention;
    } else {
      result.series = aligned.map((a, k) => ({
        name: labels[k],
        values: a.attention ?? []
      }));
    }
    return result;
  }
}
