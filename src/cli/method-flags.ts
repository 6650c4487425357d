/**
 * The explanation methods on the command line, from the registry
 * (`explain/registry.ts`): `--method M[,M...]`, one flag per method option
 * (`--window`, `--steps`, `--tolerance`, `--target`, ...), their help lines,
 * and the requests they make, checked by the registry before any model
 * loads. Shared by `explain` and `evaluate`; nothing here names a method.
 */
import {
  allMethodOptions,
  checkExplainOptions,
  EXPLAIN_METHODS,
  ExplainMethod,
  isExplainMethod,
  methodDescriptions
} from '../explain/registry';
import type { IExplainOptions, IMethodOption } from '../explain/types';
import { ModelError } from '../model/types';
import { IOptionSpec, IParsedArgs, optionValue, UsageError } from './encode';

/** A request the registry accepted. */
export interface IMethodFlagRequest extends IExplainOptions {
  method: ExplainMethod;
}

/** Every method option once (by name), in the order the methods declare them. */
export const methodOptions = allMethodOptions;

/** `--steps N`: the flag of an option. */
export function flagOf(option: IMethodOption): string {
  return `--${option.name.replace(/[A-Z]/g, c => `-${c.toLowerCase()}`)}`;
}

/** `--steps N` or `--tolerance X`, as a usage line shows it. */
export function flagUsage(option: IMethodOption): string {
  return `${flagOf(option)} ${option.kind === 'integer' ? 'N' : 'X'}`;
}

/** `--method` and every option flag, for `parseArgs`. */
export function methodFlagSpec(): IOptionSpec {
  return {
    '--method': { value: true },
    ...Object.fromEntries(
      methodOptions().map(o => [flagOf(o), { value: true }] as const)
    )
  };
}

/** Help lines: each method with its description, then each option flag. */
export function methodHelp(): { methods: string; options: string } {
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
      return `  ${pad(flagUsage(o))}${owner}${o.help}${fallback}`;
    })
    .join('\n');
  return { methods: methodLines, options: optionLines };
}

/**
 * The `--method` list (distinct, known) with the option flags given, each
 * request checked by the registry; `[]` when `--method` is absent and not
 * `required`.
 */
export function methodRequests(
  parsed: IParsedArgs,
  required: boolean
): IMethodFlagRequest[] {
  const given = optionValue(parsed, '--method');
  if (given === undefined) {
    if (required) {
      throw new UsageError(
        `--method is required (${EXPLAIN_METHODS.join(', ')}; several with commas)`
      );
    }
    return [];
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
  const values = optionValues(parsed);
  for (const name of Object.keys(values)) {
    Private.checkUsed(name, methods);
  }
  return methods.filter(isExplainMethod).map(method => {
    const request: IMethodFlagRequest = { ...values, method };
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

/** The option flags given, by option name (syntax checked; ranges by the registry). */
export function optionValues(parsed: IParsedArgs): { [name: string]: number } {
  const values: { [name: string]: number } = {};
  for (const option of methodOptions()) {
    const value = Private.number(parsed, option);
    if (value !== undefined) {
      values[option.name] = value;
    }
  }
  return values;
}

namespace Private {
  /** Refuses an option none of the chosen methods takes (it would be ignored). */
  export function checkUsed(name: string, chosen: string[]): void {
    const takers: string[] = methodDescriptions()
      .filter(m => m.options.some(o => o.name === name))
      .map(m => m.id);
    if (chosen.some(m => takers.includes(m))) {
      return;
    }
    const option = methodOptions().find(o => o.name === name)!;
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
