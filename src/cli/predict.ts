/**
 * `char-attention predict`: run a Keras / TensorFlow.js model on texts and
 * print the payload v1 JSON (prediction + attention aligned to the
 * characters), or write the standalone HTML export with `-o`.
 */
import * as path from 'path';
import { alignSample } from '../model/align';
import { ModelError } from '../model/types';
import { IBatchPayload } from '../payload/types';
import { parseArgs, reportError, writeStdout } from './encode';
import {
  describeModelError,
  IModelRun,
  MODEL_OPTIONS,
  openModelRun,
  writePayload
} from './model-run';

export const PREDICT_USAGE = `Usage: char-attention predict --model PATH [--config JSON] [--tokenizer JSON]
         [--layer NAME] [--maxlen N] [--padding pre|post] [--truncating pre|post]
         [--max-length N]
         [--lambda NAME=EXPR]... [--json | -o OUT.html] [--file F]... TEXT...

Run a Keras or TensorFlow.js model on each text and print the payload v1 JSON
(a batch: per text its prediction and the attention over its characters), or
write the standalone HTML table with -o.

  --model PATH         Keras .h5/.hdf5 (full model, or weights with --config), Keras 3
                       .keras, TensorFlow.js model.json, or a folder holding one
  --config JSON        model.to_json() file for a weights-only .h5
  --tokenizer JSON     Tokenizer.to_json() output or a plain {"char": index} map
                       (default: the model's own TextVectorization layer, else
                       tokenizer.json next to the model)
  --layer NAME         attention layer (default: found automatically, e.g. a softmax
                       over the time axis)
  --maxlen N           sequence length (default: the model's input length)
  --padding pre|post   default pre, as Keras pad_sequences
  --truncating pre|post default pre
  --max-length N       refuse a model declaring (or a --maxlen of) more than N input
                       steps, before anything is allocated (default 100000)
  --lambda NAME=EXPR   meaning of a Lambda layer, e.g. lambda_1='sum(axis=1)'; repeatable
  --lower              lowercase texts first (plain maps only)
  --json               print the payload JSON (the default)
  -o, --output FILE    write the standalone HTML export to FILE instead
  --file F             read texts from F, one per line ('-' = stdin); repeatable
  -h, --help           show this help

Notices (texts longer than maxlen, characters missing from the vocabulary,
empty texts) and what was inferred rather than read from the model (a
Lambda's meaning, the attention layer found automatically) go to stderr, one
line each; the inferences are also in each sample's meta. Exit code 1 when the model or a file
cannot be read, 2 for a command-line mistake.
`;

export async function predictCommand(args: string[]): Promise<number> {
  let run: IModelRun | null = null;
  try {
    const parsed = parseArgs(args, MODEL_OPTIONS);
    if (parsed.flags.has('--help')) {
      await writeStdout(PREDICT_USAGE);
      return 0;
    }
    run = await openModelRun(parsed, 'predict');
    const { model, items, options } = run;
    const info = model.info;
    const result = await model.predict(items.map(item => item.padded));
    const meta = {
      model: path.basename(run.mainFile),
      format: info.format,
      attentionLayer: info.attentionLayer,
      attentionChosenBy: info.attentionChosenBy,
      ...(info.kerasVersion ? { kerasVersion: info.kerasVersion } : {}),
      ...(info.inferences?.length ? { inferences: info.inferences } : {})
    };
    const payload: IBatchPayload = {
      version: 1,
      samples: items.map((item, i) => {
        const attention = result.attention[i];
        if (!attention || attention.length !== options.maxlen) {
          throw new ModelError(
            `layer '${info.attentionLayer}' gave ${attention ? attention.length : 0} attention values ` +
              `for text ${i + 1}, expected ${options.maxlen} (one per model position)`,
            { layer: info.attentionLayer ?? undefined }
          );
        }
        return {
          ...alignSample(
            item,
            attention,
            options.maxlen,
            result.predictions[i]
          ),
          meta
        };
      })
    };
    await writePayload(payload, run, 'predict', 'Character attention');
    return 0;
  } catch (error) {
    return reportError('predict', describeModelError(error), PREDICT_USAGE);
  } finally {
    run?.model.dispose();
  }
}
