/**
 * @jest-environment jsdom
 *
 * The prediction-only sample (a model without attention run by `predict`):
 * `text`, `mask` of what the model saw, `prediction`, no `attention` and no
 * `series`. It passes the JSON Schema and the validator, normalises to one
 * row without values, and the renderer and the HTML export show it (its
 * text and prediction) without throwing.
 */
import Ajv from 'ajv';
import * as fs from 'fs';
import * as path from 'path';
import { Widget } from '@lumino/widgets';
import { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { IBatchPayload, MIME_TYPE } from '../../src/payload/types';
import { normalizePayload } from '../../src/payload/normalize';
import { validatePayload } from '../../src/payload/validate';
import { RenderedCharAttention } from '../../src/render/widget';
import { exportPayloadHtml } from '../../src/table/html';

const schema = JSON.parse(
  fs.readFileSync(
    path.join(
      __dirname,
      '..',
      '..',
      'src',
      'payload',
      'char-attention.v1.schema.json'
    ),
    'utf8'
  )
);
const validateSchema = new Ajv({ allErrors: true, strict: false }).compile(
  schema
);

const PAYLOAD: IBatchPayload = {
  version: 1,
  samples: [
    {
      text: 'it was fine',
      mask: Array.from('it was fine', () => true),
      prediction: 0.6309,
      meta: { model: 'gru_variable.keras', lengths: 'own', length: 11 }
    },
    { text: 'ok ☃', mask: [true, true, true, false], prediction: [0.2, 0.8] }
  ],
  meta: { lengths: 'own', maxlen: null }
};

describe('prediction-only samples', () => {
  it('pass the JSON Schema and the validator; without a prediction they do not', () => {
    expect(validateSchema(PAYLOAD)).toBe(true);
    expect(validatePayload(PAYLOAD).problems).toEqual([]);
    const bad = { version: 1, samples: [{ text: 'ab', mask: [true, true] }] };
    expect(validateSchema(bad)).toBe(false);
    expect(validatePayload(bad).problems.map(p => p.message)).toEqual([
      'samples[0] needs attention or series'
    ]);
    const both = {
      version: 1,
      text: 'a',
      prediction: 1,
      attention: [1],
      series: [{ name: 'x', values: [1] }]
    };
    expect(validateSchema(both)).toBe(false);
  });

  it('normalise to one row without values, flagged prediction-only', () => {
    const normalized = normalizePayload(PAYLOAD);
    const [first, second] = normalized.samples;
    expect(first.predictionOnly).toBe(true);
    expect(first.rows).toHaveLength(1);
    expect(Array.from(first.rows[0].values).every(Number.isNaN)).toBe(true);
    expect(first.prediction).toEqual([0.6309]);
    expect(second.maskedCount).toBe(1);
    const withValues = normalizePayload({
      version: 1,
      text: 'a',
      attention: [1]
    });
    expect(withValues.samples[0].predictionOnly).toBe(false);
  });

  it('render in the MIME renderer (jsdom) and the HTML export without an error, with text and prediction', async () => {
    const widget = new RenderedCharAttention({
      mimeType: MIME_TYPE
    } as IRenderMime.IRendererOptions);
    Widget.attach(widget, document.body);
    const model: IRenderMime.IMimeModel = {
      trusted: false,
      data: { [MIME_TYPE]: PAYLOAD } as any,
      metadata: {},
      setData: () => undefined
    };
    await widget.renderModel(model);
    await widget.rendered;
    expect(widget.node.querySelector('.jp-CharAttention-error')).toBeNull();
    expect(widget.node.textContent).toContain('prediction 0.631');
    expect(
      widget.node.querySelectorAll('td.jp-CharAttention-cell').length
    ).toBeGreaterThanOrEqual(11);
    Widget.detach(widget);
    widget.dispose();
    const exported = exportPayloadHtml(PAYLOAD);
    expect(exported.ok).toBe(true);
    if (exported.ok) {
      expect(exported.html).toContain('prediction <b><bdi>0.631</bdi></b>');
    }
  });
});
