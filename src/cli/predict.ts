/**
 * `char-attention predict`: run a Keras / TensorFlow.js model on texts and
 * print the payload v1 JSON (prediction + attention aligned to the
 * characters), or write the standalone HTML export with `-o`. The model runs
 * in a pool of worker threads; `--file` input is streamed.
 */
import { availableMethods } from '../explain/registry';
import { predictionSamples } from '../explain/samples';
import { IModelInfo } from '../model/types';
import { writeNotices } from './encode';
import { MODEL_OPTIONS } from './model-run';
import { IPoolRun, modelMeta, runPoolCommand } from './pool-run';

export const PREDICT_USAGE = `Usage: char-attention predict --model PATH [--config JSON] [--tokenizer JSON]
         [--layer NAME] [--maxlen N] [--padding pre|post] [--truncating pre|post]
         [--max-length N] [--lambda NAME=EXPR]... [--json | -o OUT.html] [--workers N]
         [--file F]... TEXT...

Run a Keras or TensorFlow.js model on each text and print the payload v1 JSON
(a batch: per text its prediction and the attention over its characters), or
write the standalone HTML table with -o. A model without an attention layer
gives each text's prediction alone (prediction-only samples; per-character
values come from char-attention explain). A model with a variable input
length runs each text at its own length, as Keras runs that text alone,
unless --maxlen pads them all.

With --file the input is streamed: one JSON payload per line (JSONL, one text
each, in input order) on stdout, or the HTML table (one colour scale per
text) with -o; memory stays bounded however long the file. A progress line
goes to stderr when stderr is a terminal.

  --model PATH         Keras .h5/.hdf5 (full model, or weights with --config), Keras 3
                       .keras, TensorFlow.js model.json, or a folder holding one
  --config JSON        model.to_json() file for a weights-only .h5
  --tokenizer JSON     Tokenizer.to_json() output or a plain {"char": index} map
                       (default: the model's own TextVectorization layer, else
                       tokenizer.json next to the model)
  --layer NAME         attention layer (default: found automatically, e.g. a softmax
                       over the time axis)
  --maxlen N           sequence length (default: the model's input length; for a
                       variable-length model, each text's own length)
  --padding pre|post   default pre, as Keras pad_sequences
  --truncating pre|post default pre
  --max-length N       refuse a model declaring (or a --maxlen of) more than N input
                       steps, before anything is allocated (default 100000)
  --max-layers N       refuse a model of more than N layers, counting nested models'
                       layers and the calls inlining them makes (default 50000)
  --max-nesting N      refuse models nested more than N deep (default 32)
  --lambda NAME=EXPR   meaning of a Lambda layer, e.g. lambda_1='sum(axis=1)'; repeatable
  --lower              lowercase texts first (plain maps only)
  --json               print the payload JSON (the default)
  -o, --output FILE    write the standalone HTML export to FILE instead
  --file F             read texts from F, one per line ('-' = stdin); repeatable
  --workers N          worker threads running the model (default: the number of CPU
                       cores; small inputs use one)
  -h, --help           show this help

Notices (texts longer than maxlen, characters missing from the vocabulary,
empty texts) and what was inferred rather than read from the model (a
Lambda's meaning, the attention layer found automatically) go to stderr, one
line each; the inferences are also in each sample's meta. Exit code 1 when the model or a file
cannot be read, 2 for a command-line mistake.
`;

export function predictCommand(args: string[]): Promise<number> {
  return runPoolCommand(args, {
    name: 'predict',
    usage: PREDICT_USAGE,
    options: MODEL_OPTIONS,
    heading: 'Character attention',
    prepare: () => run => {
      if (run.info.attentionLayer === null) {
        writeNotices('predict', [predictionOnlyNotice(run.info)]);
      }
      const meta = predictionMeta(run);
      return async (items, first) =>
        predictionSamples(
          run.info.attentionLayer,
          items,
          await run.pool.predict(items.map(item => item.padded)),
          meta,
          first
        );
    },
    // Streamed JSONL: each worker encodes its texts and writes their lines.
    lines: run => {
      const job = { pipeline: run.pipeline.spec(), meta: predictionMeta(run) };
      return (texts, first) => run.pool.predictLines(texts, first, job);
    }
  });
}

/** What every sample's meta says: the model, its attention layer, the length rule. */
function predictionMeta(run: IPoolRun): { [key: string]: unknown } {
  const info = run.info;
  return {
    ...modelMeta(run),
    attentionLayer: info.attentionLayer,
    attentionChosenBy: info.attentionChosenBy,
    lengths: run.pipeline.lengths
  };
}

/** Said once when the model has no attention layer. */
export function predictionOnlyNotice(info: IModelInfo): string {
  const methods = availableMethods(info).join(', ');
  return (
    'the model has no attention layer: predictions only, no per-character values ' +
    `(for those: char-attention explain --method ${methods})`
  );
}
