/**
 * Translation of Keras model configs (Keras 2.x, tf.keras, Keras 3, and the
 * TensorFlow.js layers `model.json` topology) into one plain graph spec. The
 * config's size is checked first (`config-size.ts`); tfjs weight manifests
 * are read by `files/tfjs.ts`.
 */
import { JsonDepthError, parseJsonText } from '../../payload/json-text';
import { ILayerSpec, Shape } from '../layers/base';
import { ModelError } from '../types';
import {
  normalizeClassName,
  specFromLayerConfig
} from '../layers/layer-config';
import { MODEL_CLASSES } from './class-names';
import { checkConfigSize, IConfigLimits } from './config-size';
import { callArguments, INodeRef, nodeRefs } from './inbound-nodes';

export type { INodeRef } from './inbound-nodes';
export { explicitMaskSlots, withRole } from './inbound-nodes';

/** A layer of the graph with the inputs of each of its calls. */
export interface IGraphLayerSpec extends ILayerSpec {
  /** One entry per call (node) of the layer: the tensors it consumes. */
  inbound: INodeRef[][];
  /** Non-tensor call arguments per node (Keras 3 `kwargs`, e.g. `use_causal_mask`). */
  callArgs?: Array<{ [key: string]: unknown }>;
  /** A nested model used as a layer (Sequential / Functional); inlined by `flattenModel`. */
  model?: IModelSpec;
  /**
   * tf.keras 2.x numbers the calls of a nested model that starts with an
   * InputLayer from 1 (node 0 is its own construction): refs to it are
   * shifted by this much.
   */
  nodeOffset?: number;
}

/** A whole model: layers in config order, graph inputs and outputs. */
export interface IModelSpec {
  name: string;
  layers: IGraphLayerSpec[];
  inputs: INodeRef[];
  outputs: INodeRef[];
  /** Declared input shapes (without batch) by InputLayer name. */
  inputShapes: { [name: string]: Shape };
}

/** The declared batch shape of a layer config (Keras 2 `batch_input_shape`, Keras 3 `batch_shape`). */
export function declaredBatchShape(config: {
  [key: string]: any;
}): Shape | null {
  const batch = config.batch_input_shape ?? config.batch_shape;
  if (Array.isArray(batch)) {
    return batch
      .slice(1)
      .map((d: unknown) => (typeof d === 'number' ? d : null));
  }
  if (Array.isArray(config.input_shape)) {
    return config.input_shape.map((d: unknown) =>
      typeof d === 'number' ? d : null
    );
  }
  if (
    typeof config.input_dim === 'number' &&
    config.class_name !== 'Embedding'
  ) {
    return null;
  }
  return null;
}

/**
 * Parses a model config: the `model_config` attribute / `model.to_json()`
 * text, a Keras 3 `config.json`, or a tfjs `modelTopology`. Its layers are
 * counted (and its nesting measured) before anything is built from them.
 */
export function parseModelConfig(
  raw: unknown,
  file: string,
  limits: IConfigLimits = {}
): IModelSpec {
  let root = raw;
  if (typeof root === 'string') {
    root = Private.parseJson(root, file);
  }
  if (root && typeof root === 'object' && 'model_config' in (root as object)) {
    root = (root as { model_config: unknown }).model_config;
  }
  const top = root as { class_name?: unknown; config?: unknown } | null;
  if (!top || typeof top !== 'object' || typeof top.class_name !== 'string') {
    throw new ModelError(
      `${file}: this JSON is not a Keras model config (no class_name)`,
      { file }
    );
  }
  checkConfigSize(top, file, limits);
  const className = normalizeClassName(top.class_name);
  if (className === 'Sequential') {
    return Private.sequential(top.config, file);
  }
  if (className === 'Model' || className === 'Functional') {
    return Private.functional(top.config, file);
  }
  throw new ModelError(
    `${file}: the top-level class is '${top.class_name}', expected Sequential, Model or Functional`,
    { file }
  );
}

namespace Private {
  /** The config's JSON text, refusing hostile nesting with a named error. */
  export function parseJson(text: string, file: string): unknown {
    try {
      return parseJsonText(text);
    } catch (e) {
      throw new ModelError(
        e instanceof JsonDepthError
          ? `${file}: ${e.message}`
          : `${file}: the model config is not valid JSON (${(e as Error).message})`,
        { file }
      );
    }
  }

  /** The model input of a Sequential config, as its layers declare it. */
  interface ISequentialInput {
    name: string;
    shape: Shape | null;
    dtype: unknown;
  }

  export function sequential(
    config: unknown,
    file: string,
    nested = false
  ): IModelSpec {
    const list = sequentialLayers(config, file);
    const name = (config as { name?: string })?.name ?? 'sequential';
    const layers: IGraphLayerSpec[] = [];
    const input: ISequentialInput = {
      name: '',
      shape: buildInputShape(config),
      dtype: undefined
    };
    let previous: INodeRef | null = null;
    list.forEach((entry, i) => {
      const spec = specFromLayerConfig(entry, file);
      if (!spec.name) {
        spec.name = `layer_${i}`;
      }
      if (spec.className === 'InputLayer') {
        input.name = spec.name;
        input.shape = declaredBatchShape(spec.config) ?? input.shape;
        input.dtype = spec.config.dtype;
        previous = { layer: spec.name, node: 0, tensor: 0 };
        return;
      }
      const model = MODEL_CLASSES.includes(spec.className)
        ? parseNested(entry, spec.name, file)
        : undefined;
      if (!previous) {
        implicitInput(input, spec, model, nested, file);
        previous = { layer: input.name, node: 0, tensor: 0 };
      }
      layers.push({
        ...spec,
        inbound: [[previous]],
        ...(model ? { model } : {})
      });
      previous = { layer: spec.name, node: 0, tensor: 0 };
    });
    if (!input.shape && nested) {
      // A nested Sequential built by its caller: the caller's tensor sets the shape.
      input.shape = [];
    }
    if (!input.shape || !previous) {
      throw new ModelError(
        `${file}: Sequential model has no layers or no input shape`,
        { file }
      );
    }
    layers.unshift(inputLayerSpec(input.name, input.shape, input.dtype));
    return {
      name,
      layers,
      inputs: [{ layer: input.name, node: 0, tensor: 0 }],
      outputs: [previous],
      inputShapes: { [input.name]: input.shape }
    };
  }

  /** The layer list of a Sequential config (a bare list in old Keras files). */
  export function sequentialLayers(config: unknown, file: string): unknown[] {
    if (Array.isArray(config)) {
      return config;
    }
    const layers = (config as { layers?: unknown })?.layers;
    if (Array.isArray(layers)) {
      return layers;
    }
    throw new ModelError(`${file}: Sequential config has no layer list`, {
      file
    });
  }

  /** The input shape (without batch) a built Sequential saved, if any. */
  export function buildInputShape(config: unknown): Shape | null {
    const build = (config as { build_input_shape?: unknown })
      ?.build_input_shape;
    return Array.isArray(build)
      ? build.slice(1).map((d: unknown) => (typeof d === 'number' ? d : null))
      : null;
  }

  /**
   * A Sequential without an InputLayer: its first layer declares the input
   * (its batch shape, an Embedding's `input_length`, a nested model's input),
   * named after that layer as Keras names it.
   */
  export function implicitInput(
    input: ISequentialInput,
    first: ILayerSpec,
    model: IModelSpec | undefined,
    nested: boolean,
    file: string
  ): void {
    input.shape = declaredBatchShape(first.config) ?? input.shape;
    input.dtype = first.config.dtype;
    if (!input.shape && first.className === 'Embedding') {
      const length = first.config.input_length;
      input.shape = [typeof length === 'number' ? length : null];
    }
    if (!input.shape && model) {
      input.shape = model.inputShapes[model.inputs[0]?.layer] ?? null;
    }
    if (!input.shape && !nested) {
      throw new ModelError(
        `${file}: the first layer '${first.name}' declares no input shape (batch_input_shape / batch_shape)`,
        { file, layer: first.name }
      );
    }
    input.name = `${first.name}_input`;
  }

  /** The InputLayer a Sequential starts with, with the dtype it declared. */
  export function inputLayerSpec(
    name: string,
    shape: Shape,
    dtype: unknown
  ): IGraphLayerSpec {
    return {
      name,
      className: 'InputLayer',
      config: {
        batch_input_shape: [null, ...shape],
        ...(typeof dtype === 'string' ? { dtype } : {})
      },
      inbound: []
    };
  }

  export function functional(config: unknown, file: string): IModelSpec {
    const c = config as {
      name?: string;
      layers?: unknown[];
      input_layers?: unknown;
      output_layers?: unknown;
    };
    if (!c || !Array.isArray(c.layers)) {
      throw new ModelError(
        `${file}: functional model config has no layer list`,
        { file }
      );
    }
    const layers: IGraphLayerSpec[] = [];
    const inputShapes: { [name: string]: Shape } = {};
    for (const entry of c.layers) {
      const spec = specFromLayerConfig(entry, file);
      const model = MODEL_CLASSES.includes(spec.className)
        ? parseNested(entry, spec.name, file)
        : undefined;
      const nodes = (entry as { inbound_nodes?: unknown }).inbound_nodes;
      const inbound = Array.isArray(nodes)
        ? nodes.map(n => nodeRefs(n, spec.name, file))
        : [];
      const callArgs = Array.isArray(nodes)
        ? nodes.map(n => callArguments(n))
        : [];
      if (spec.className === 'InputLayer') {
        const shape = declaredBatchShape(spec.config);
        if (!shape) {
          throw new ModelError(
            `Layer '${spec.name}' (InputLayer): no batch shape declared`,
            {
              layer: spec.name,
              className: 'InputLayer'
            }
          );
        }
        inputShapes[spec.name] = shape;
      }
      const legacyNodes = Array.isArray(nodes) && Array.isArray(nodes[0]);
      const skipsFirst =
        !!model && model.layers[0]?.className === 'InputLayer' && legacyNodes;
      layers.push({
        ...spec,
        inbound,
        callArgs,
        ...(model ? { model } : {}),
        ...(skipsFirst ? { nodeOffset: 1 } : {})
      });
    }
    return {
      name: c.name ?? 'model',
      layers,
      inputs: refList(c.input_layers, file, 'input_layers'),
      outputs: refList(c.output_layers, file, 'output_layers'),
      inputShapes
    };
  }

  export function refList(
    raw: unknown,
    file: string,
    field: string
  ): INodeRef[] {
    if (!Array.isArray(raw) || raw.length === 0) {
      throw new ModelError(`${file}: model config has no ${field}`, { file });
    }
    // Keras 3 writes a single [name, node, tensor] without the outer list.
    const list = typeof raw[0] === 'string' ? [raw] : raw;
    return list.map((r: any) => {
      if (!Array.isArray(r) || typeof r[0] !== 'string') {
        throw new ModelError(
          `${file}: ${field} entry ${JSON.stringify(r)} is not [name, node, tensor]`,
          {
            file
          }
        );
      }
      return {
        layer: r[0],
        node: Number(r[1] ?? 0),
        tensor: Number(r[2] ?? 0)
      };
    });
  }

  /** A nested model's own config, parsed like a top-level one. */
  export function parseNested(
    entry: unknown,
    name: string,
    file: string
  ): IModelSpec {
    const raw = entry as { class_name: string; config?: unknown };
    const className = normalizeClassName(raw.class_name);
    try {
      return className === 'Sequential'
        ? sequential(raw.config, file, true)
        : functional(raw.config, file);
    } catch (e) {
      if (e instanceof ModelError) {
        throw new ModelError(`nested model '${name}': ${e.message}`, {
          ...e.where,
          layer: e.where?.layer ?? name
        });
      }
      throw e;
    }
  }
}
