/**
 * BatchNormalization, LayerNormalization (incl. rms_scaling and several
 * axes), ReLU, LeakyReLU, PReLU, ELU and Conv1D dilation / causal padding
 * against real Keras 3, from `.keras` and legacy `.h5`.
 */
import { diff, load, readCase, run } from './oracle';

for (const name of ['norm_act', 'conv']) {
  describe(`${name} (real Keras oracle)`, () => {
    for (const file of [`${name}.keras`, `${name}.h5`]) {
      it(`${file}: every layer matches Keras within 1e-5`, () => {
        const c = readCase(name);
        const { outputs, activations } = run(load(file), c);
        for (const [layer, expected] of Object.entries(c.layers)) {
          expect({
            layer,
            ok: diff(activations[layer], expected) < 1e-5
          }).toEqual({ layer, ok: true });
        }
        expect(diff(outputs[0], c.outputs[0])).toBeLessThan(1e-5);
      });
    }
  });
}
