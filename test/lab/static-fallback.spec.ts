import { withStaticHtml } from '../../src/lab/static-fallback';
import { MIME_TYPE } from '../../src/payload/types';
import { exportPayloadHtml } from '../../src/table/html';

const payload = { version: 1, text: 'a<b', attention: [0.1, 0.5, 0.9] };
const fragment = (value: unknown) => {
  const result = exportPayloadHtml(value, { fragment: true });
  return result.ok ? result.html : null;
};

describe('withStaticHtml', () => {
  it('adds the exported fragment when text/html is missing, keeping other data', () => {
    const data = { [MIME_TYPE]: payload, 'text/plain': 'summary' };
    const patched = withStaticHtml(data, fragment);
    expect(patched).not.toBeNull();
    expect(patched![MIME_TYPE]).toBe(payload);
    expect(patched!['text/plain']).toBe('summary');
    expect(patched!['text/html']).toBe(fragment(payload));
    expect(String(patched!['text/html'])).toContain('&lt;');
    expect(data).not.toHaveProperty('text/html');
  });

  it('never overwrites an existing text/html and does nothing twice', () => {
    const data = {
      [MIME_TYPE]: payload,
      'text/html': '<p>kernel fallback</p>'
    };
    expect(withStaticHtml(data, fragment)).toBeNull();
    const once = withStaticHtml({ [MIME_TYPE]: payload }, fragment)!;
    expect(withStaticHtml(once, fragment)).toBeNull();
  });

  it('leaves other outputs and invalid payloads alone', () => {
    expect(withStaticHtml({ 'text/plain': 'x' }, fragment)).toBeNull();
    expect(
      withStaticHtml(
        { [MIME_TYPE]: { version: 1, text: 'ab', attention: [1] } },
        fragment
      )
    ).toBeNull();
  });
});
