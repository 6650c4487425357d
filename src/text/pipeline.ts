/**
 * The one way from texts to what a loaded model sees, for the CLI, the
 * viewer and right-click: the tokenizer (a Keras Tokenizer JSON, or the
 * model's own TextVectorization layer), encoding, the vocabulary check,
 * the sequence length, padding and truncation (Keras `pad_sequences`), and
 * the notices about what the model does not see. A tokenizer that can give
 * an index past the model's Embedding is refused before any text. Alignment back to the
 * characters is `align.ts`, samples of the payload `explain/samples.ts`.
 *
 * The sequence length, as `lengths` says:
 * - `model`: the model's fixed input length (a --maxlen must equal it);
 * - `maxlen`: a variable-length model, every text padded or truncated to
 *   the maxlen given, as `pad_sequences(maxlen=N)`;
 * - `own`: a variable-length model and no maxlen: each text at its own
 *   length, exactly as Keras runs that text alone (an empty text is one
 *   padding position).
 *
 * Pure: no DOM, no Node APIs.
 */
import { alignmentNotices } from './align';
import {
  encodeTextVectorizationText,
  ITextVectorizationInfo
} from './text-vectorization';
import {
  encodeText,
  ICharTokenizer,
  IEncodedText,
  IPaddedText,
  IResolvedPadOptions,
  padEncoded,
  resolvePadOptions,
  Side,
  TokenizerError
} from './tokenizer';

/**
 * What the pipeline needs to know of a model (the loader's `IModelInfo`
 * has all of it): its input length, its Embedding's vocabulary size and its
 * own TextVectorization layer, if any.
 */
export interface IModelInput {
  /** Fixed input length (time steps) or `null` when the model accepts any length. */
  inputLength: number | null;
  /** Embedding `input_dim`, when the model starts with an Embedding. */
  vocabularySize?: number;
  /** The model's own TextVectorization layer, when it has one. */
  tokenizer?: ITextVectorizationInfo;
}

/** Where the text encoding comes from. */
export type TextSource =
  | {
      kind: 'tokenizer';
      tokenizer: ICharTokenizer;
      /** The file it was read from, for messages. */
      name: string;
    }
  | { kind: 'text-vectorization'; layer: ITextVectorizationInfo };

/** How the sequence length is chosen (see the module comment). */
export type LengthRule = 'model' | 'maxlen' | 'own';

/** The user's input choices; null or absent = the default. */
export interface IInputChoices {
  maxlen?: number | null;
  padding?: Side | null;
  truncating?: Side | null;
  /** Longest sequence allowed, checked before anything that long is made. */
  limit?: number;
  /** How the user can raise `limit`, for the message. */
  limitHint?: string;
}

/** A choice that cannot work with this model: names the field. */
export class TextPipelineError extends TokenizerError {
  constructor(
    message: string,
    readonly field:
      'tokenizer' | 'maxlen' | 'padding' | 'truncating' | 'limit' | 'vocabulary'
  ) {
    super(message, field);
    this.name = 'TextPipelineError';
  }
}

/** What a pipeline is made of, as plain data (see `ITextPipeline.spec`). */
export interface ITextPipelineSpec {
  source: TextSource;
  choices: IInputChoices;
}

/** Texts encoded for the model. */
export interface IEncodedBatch {
  /** Per text; `padded` is what the model sees (its length varies with `own`). */
  items: IPaddedText[];
  /** One line per text that needs one, e.g. `text 3: empty text; ...`. */
  notices: string[];
}

export interface ITextPipeline {
  readonly source: TextSource;
  readonly lengths: LengthRule;
  /** The padded length; null when each text has its own. */
  readonly maxlen: number | null;
  readonly padding: Side;
  readonly truncating: Side;
  /** The tokenizer in words: a file name, or the model's TextVectorization layer. */
  readonly sourceLabel: string;
  /** Encodes texts; notices number them from `first + 1`. */
  encode(texts: string[], first?: number): IEncodedBatch;
  /** What a payload's meta says about the input. */
  meta(): { [key: string]: string | number | null };
  /**
   * Plain data that `createTextPipeline` turns back into this pipeline
   * for the same model (e.g. in a worker thread that holds the model).
   */
  spec(): ITextPipelineSpec;
  /** A sample's own notice (characters cut by truncation), or ''. */
  sampleNotice(item: IPaddedText): string;
}

/**
 * The pipeline of a loaded model. `source` null: the model's own
 * TextVectorization layer, which an explicit tokenizer replaces.
 */
export function createTextPipeline(
  info: IModelInput,
  source: TextSource | null,
  choices: IInputChoices = {}
): ITextPipeline {
  const chosen = Private.chooseSource(info, source);
  return new Private.Pipeline(info, chosen, choices);
}

/** The model position cut by truncation, in words (empty when none). */
export function truncationNotice(
  item: { truncatedCount: number; sequence: number[] },
  pad: { maxlen: number | null; truncating: Side }
): string {
  if (item.truncatedCount <= 0 || pad.maxlen === null) {
    return '';
  }
  const which = pad.truncating === 'pre' ? 'first' : 'last';
  return (
    `the ${which} ${item.truncatedCount} of ${item.sequence.length} characters ` +
    `are not seen by the model (maxlen ${pad.maxlen}, truncating ${pad.truncating}); they are masked`
  );
}

namespace Private {
  export function chooseSource(
    info: IModelInput,
    source: TextSource | null
  ): TextSource {
    if (source) {
      return source;
    }
    if (info.tokenizer) {
      return { kind: 'text-vectorization', layer: info.tokenizer };
    }
    throw new TextPipelineError(
      'the model has no TextVectorization layer: give the tokenizer JSON it was trained with',
      'tokenizer'
    );
  }

  export class Pipeline implements ITextPipeline {
    constructor(
      info: IModelInput,
      readonly source: TextSource,
      choices: IInputChoices
    ) {
      const own = source.kind === 'text-vectorization';
      for (const side of ['padding', 'truncating'] as const) {
        const given = choices[side];
        if (own && given && given !== 'post') {
          throw new TextPipelineError(
            `${side} ${given}: the model's TextVectorization layer '${source.layer.layer}' pads and truncates at the end (post)`,
            side
          );
        }
      }
      this.padding = own ? 'post' : (choices.padding ?? 'pre');
      this.truncating = own ? 'post' : (choices.truncating ?? 'pre');
      const fixed = info.inputLength;
      const given = choices.maxlen ?? null;
      if (fixed !== null && given !== null && given !== fixed) {
        throw new TextPipelineError(
          `maxlen ${given} does not match the model's input length ${fixed}`,
          'maxlen'
        );
      }
      this.lengths =
        fixed !== null ? 'model' : given !== null ? 'maxlen' : 'own';
      this.maxlen = fixed ?? given;
      this._choices = choices;
      this._limit = choices.limit;
      this._limitHint = choices.limitHint;
      if (this.maxlen !== null) {
        // Fails before anything of that length is made.
        this._pad(0);
      }
      checkVocabulary(source, info.vocabularySize);
      this.sourceLabel =
        source.kind === 'text-vectorization'
          ? `the model's TextVectorization layer '${source.layer.layer}'`
          : source.name;
    }

    readonly lengths: LengthRule;
    readonly maxlen: number | null;
    readonly padding: Side;
    readonly truncating: Side;
    readonly sourceLabel: string;

    encode(texts: string[], first = 0): IEncodedBatch {
      const items = texts.map(text => {
        const encoded = this._encodeOne(text);
        return padEncoded(encoded, this._pad(encoded.sequence.length));
      });
      return { items, notices: this._notices(items, first) };
    }

    meta(): { [key: string]: string | number | null } {
      return {
        tokenizer: this.sourceLabel,
        lengths: this.lengths,
        maxlen: this.maxlen,
        padding: this.padding,
        truncating: this.truncating
      };
    }

    spec(): ITextPipelineSpec {
      return { source: this.source, choices: { ...this._choices } };
    }

    sampleNotice(item: IPaddedText): string {
      return truncationNotice(item, this);
    }

    private _encodeOne(text: string): IEncodedText {
      return this.source.kind === 'tokenizer'
        ? encodeText(this.source.tokenizer, text)
        : encodeTextVectorizationText(this.source.layer, text);
    }

    /** `pad_sequences` options for a sequence of `length` elements. */
    private _pad(length: number): IResolvedPadOptions {
      try {
        return resolvePadOptions([Math.max(1, length)], {
          maxlen: this.maxlen,
          padding: this.padding,
          truncating: this.truncating,
          limit: this._limit,
          limitHint: this._limitHint
        });
      } catch (error) {
        throw new TextPipelineError((error as Error).message, 'limit');
      }
    }

    private _notices(items: IPaddedText[], first: number): string[] {
      return alignmentNotices(
        items,
        {
          maxlen: this.maxlen ?? 0,
          padding: this.padding,
          truncating: this.truncating,
          value: 0
        },
        first
      );
    }

    private _choices: IInputChoices;
    private _limit: number | undefined;
    private _limitHint: string | undefined;
  }

  /**
   * The largest index the tokenizer can give must exist in the model's
   * Embedding (Keras fails on any text that reaches past it): checked once,
   * before any text, the same way for every caller.
   */
  export function checkVocabulary(
    source: TextSource,
    vocabularySize: number | undefined
  ): void {
    if (!vocabularySize) {
      return;
    }
    let largest = 0;
    if (source.kind === 'tokenizer') {
      const { wordIndex, numWords } = source.tokenizer;
      for (const index of wordIndex.values()) {
        if (!(numWords && index >= numWords)) {
          largest = Math.max(largest, index);
        }
      }
    } else {
      largest = source.layer.vocabulary.length - 1;
    }
    if (largest >= vocabularySize) {
      const name =
        source.kind === 'tokenizer'
          ? `the tokenizer ${source.name}`
          : `the TextVectorization layer '${source.layer.layer}'`;
      throw new TextPipelineError(
        `${name} does not match the model: it gives indices up to ${largest}, ` +
          `but the model's Embedding accepts 0–${vocabularySize - 1} (input_dim ${vocabularySize})`,
        'vocabulary'
      );
    }
  }
}
