/**
 * The size of a model config, measured before any of it is translated: how
 * many layers it has (nested models' layers included) and how deep models
 * nest, against the settings that bound them. Iterative, so a deep config
 * cannot overflow the stack. Pure.
 */
import {
  DEFAULT_MAX_LAYERS,
  DEFAULT_MAX_NESTING_DEPTH,
  formatCount
} from '../limits';
import { ModelError } from '../types';
import { normalizeClassName } from '../layers/layer-config';
import { MODEL_CLASSES } from './class-names';

/** Structural limits of a model config (settings; see `limits.ts`). */
export interface IConfigLimits {
  /** Layers in the config, nested models' layers included (default `DEFAULT_MAX_LAYERS`). */
  maxLayers?: number;
  /** Models nested in models (default `DEFAULT_MAX_NESTING_DEPTH`). */
  maxNestingDepth?: number;
}

/** The settings that change the structural limits, as messages name them. */
export const LIMIT_SETTINGS = {
  maxLayers: 'the maxLayers setting / --max-layers',
  maxNestingDepth: 'the maxNestingDepth setting / --max-nesting'
} as const;

/** Refuses a config with more layers, or deeper nesting, than `limits` allow. */
export function checkConfigSize(
  top: { config?: unknown },
  file: string,
  limits: IConfigLimits
): void {
  Private.checkSize(top, file, limits);
}

namespace Private {
  /** The model entries of a config's layer list (Keras 2 Sequential: the list itself). */
  export function layerList(config: unknown): unknown[] {
    if (Array.isArray(config)) {
      return config;
    }
    const layers = (config as { layers?: unknown } | null)?.layers;
    return Array.isArray(layers) ? layers : [];
  }

  /**
   * Counts the layers of a config and of its nested models, and how deep
   * they nest, before any of it is translated (iterative: a deep config
   * cannot overflow the stack).
   */
  export function checkSize(
    top: { config?: unknown },
    file: string,
    limits: IConfigLimits
  ): void {
    const maxLayers = limits.maxLayers ?? DEFAULT_MAX_LAYERS;
    const maxDepth = limits.maxNestingDepth ?? DEFAULT_MAX_NESTING_DEPTH;
    let count = 0;
    const stack: Array<{ config: unknown; depth: number }> = [
      { config: top.config, depth: 0 }
    ];
    while (stack.length) {
      const { config, depth } = stack.pop()!;
      for (const entry of layerList(config)) {
        count++;
        if (count > maxLayers) {
          throw new ModelError(
            `${file}: the model has more than ${formatCount(maxLayers)} layers ` +
              `(counting those of nested models); at most ${formatCount(maxLayers)} are allowed ` +
              `(${LIMIT_SETTINGS.maxLayers})`,
            { file }
          );
        }
        const e = entry as { class_name?: unknown; config?: unknown } | null;
        if (
          typeof e?.class_name === 'string' &&
          MODEL_CLASSES.includes(normalizeClassName(e.class_name))
        ) {
          if (depth + 1 > maxDepth) {
            throw new ModelError(
              `${file}: models are nested more than ${formatCount(maxDepth)} levels deep; at most ` +
                `${formatCount(maxDepth)} are allowed (${LIMIT_SETTINGS.maxNestingDepth})`,
              { file }
            );
          }
          stack.push({ config: e.config, depth: depth + 1 });
        }
      }
    }
  }
}
