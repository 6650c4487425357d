/**
 * Models built with TensorFlow.js layers (an independent port of Keras),
 * given seeded random weights and saved with tfjs's own serializer, as the
 * file set the engine loads.
 */
import * as tf from '@tensorflow/tfjs';

export async function saveFiles(
  model: tf.LayersModel
): Promise<{ [name: string]: Uint8Array }> {
  let files: { [name: string]: Uint8Array } = {};
  await model.save(
    tf.io.withSaveHandler(async artifacts => {
      const json = {
        format: 'layers-model',
        modelTopology: artifacts.modelTopology,
        weightsManifest: [
          { paths: ['weights.bin'], weights: artifacts.weightSpecs }
        ]
      };
      files = {
        'model.json': new TextEncoder().encode(JSON.stringify(json)),
        'weights.bin': new Uint8Array(artifacts.weightData as ArrayBuffer)
      };
      return {
        modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' }
      };
    })
  );
  return files;
}

export function randomize(model: tf.LayersModel, seed: number): void {
  let s = seed;
  const rnd = () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296 - 0.5;
  };
  for (const layer of model.layers) {
    const weights = layer.getWeights();
    if (weights.length) {
      layer.setWeights(
        weights.map(w =>
          tf.tensor(Float32Array.from({ length: w.size }, rnd), w.shape)
        )
      );
    }
  }
}
