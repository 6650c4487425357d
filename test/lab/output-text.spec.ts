import { textsFromOutput, STDOUT_MIME } from '../../src/lab/output-text';

describe('textsFromOutput', () => {
  it('reads printed text (stdout) without the final newline', () => {
    const result = textsFromOutput({ [STDOUT_MIME]: 'the movie was great\n' });
    expect(result).toEqual({
      ok: true,
      texts: ['the movie was great'],
      source: 'stream'
    });
  });

  it('gives one text per printed line (a batch), skipping blank lines', () => {
    const printed = [
      'The screen arrived BROKEN, I want a refund.',
      '',
      'Lovely kettle, boils fast.',
      '   ',
      'Meh.'
    ].join('\n');
    const result = textsFromOutput({ [STDOUT_MIME]: printed + '\r\n' });
    expect(result).toEqual({
      ok: true,
      texts: [
        'The screen arrived BROKEN, I want a refund.',
        'Lovely kettle, boils fast.',
        'Meh.'
      ],
      source: 'stream'
    });
  });

  it('splits plain text and a selection into lines too', () => {
    expect(textsFromOutput({ 'text/plain': 'a b\nc d' })).toEqual({
      ok: true,
      texts: ['a b', 'c d'],
      source: 'text/plain'
    });
    expect(textsFromOutput({ [STDOUT_MIME]: 'x\n' }, 'one\ntwo\n')).toEqual({
      ok: true,
      texts: ['one', 'two'],
      source: 'selection'
    });
  });

  it('keeps a JSON list of strings as given (no line split)', () => {
    const result = textsFromOutput({ 'application/json': ['a\nb', 'c'] });
    expect(result.ok && result.texts).toEqual(['a\nb', 'c']);
  });

  it('strips ANSI colour codes', () => {
    const result = textsFromOutput({
      [STDOUT_MIME]: '\u001b[31mred\u001b[0m text\n'
    });
    expect(result.ok && result.texts).toEqual(['red text']);
  });

  it('prefers the user selection', () => {
    const result = textsFromOutput({ [STDOUT_MIME]: 'all of it\n' }, 'of it');
    expect(result).toEqual({ ok: true, texts: ['of it'], source: 'selection' });
  });

  it('ignores a blank selection', () => {
    const result = textsFromOutput({ 'text/plain': 'abc' }, '  \n');
    expect(result).toEqual({ ok: true, texts: ['abc'], source: 'text/plain' });
  });

  it('unwraps the Python repr of a string', () => {
    const result = textsFromOutput({ 'text/plain': "'it\\'s a \\ttab\\n'" });
    expect(result).toEqual({
      ok: true,
      texts: ["it's a \ttab\n"],
      source: 'text/plain'
    });
  });

  it('unwraps the Python repr of a list of strings', () => {
    const result = textsFromOutput({
      'text/plain': "['good film', \"bad 'film'\", '\\u00e9t\\xe9']"
    });
    expect(result.ok && result.texts).toEqual([
      'good film',
      "bad 'film'",
      'été'
    ]);
  });

  it('reads a JSON list of strings from text/plain', () => {
    const result = textsFromOutput({ 'text/plain': '["a", "b"]' });
    expect(result.ok && result.texts).toEqual(['a', 'b']);
  });

  it('keeps plain text that is not a literal as is', () => {
    const result = textsFromOutput({ 'text/plain': "it's fine\n" });
    expect(result.ok && result.texts).toEqual(["it's fine"]);
  });

  it('does not unwrap a dict repr', () => {
    const result = textsFromOutput({ 'text/plain': "{'a': 1}" });
    expect(result.ok && result.texts).toEqual(["{'a': 1}"]);
  });

  it('reads application/json strings, lists and text fields', () => {
    expect(textsFromOutput({ 'application/json': 'hello' })).toMatchObject({
      texts: ['hello'],
      source: 'application/json'
    });
    expect(textsFromOutput({ 'application/json': ['x', 'y'] })).toMatchObject({
      texts: ['x', 'y']
    });
    expect(
      textsFromOutput({ 'application/json': { text: 'z', label: 1 } })
    ).toMatchObject({
      texts: ['z']
    });
    expect(
      textsFromOutput({ 'application/json': { text: ['p', 'q'] } })
    ).toMatchObject({
      texts: ['p', 'q']
    });
  });

  it('falls back from unusable JSON to text/plain', () => {
    const result = textsFromOutput({
      'application/json': { n: 1 },
      'text/plain': 'shown'
    });
    expect(result).toEqual({
      ok: true,
      texts: ['shown'],
      source: 'text/plain'
    });
  });

  it('reads markdown', () => {
    const result = textsFromOutput({
      'text/markdown': '**bold** text\n',
      'text/plain': 'x'
    });
    expect(result).toEqual({
      ok: true,
      texts: ['**bold** text'],
      source: 'text/markdown'
    });
  });

  it('joins multi-line MIME values stored as lists', () => {
    const result = textsFromOutput({ 'text/markdown': ['a\n', 'b'] });
    expect(result.ok && result.texts).toEqual(['a\nb']);
  });

  it('explains outputs without text', () => {
    const image = textsFromOutput({ 'image/png': 'iVBOR' });
    expect(image).toEqual({
      ok: false,
      reason: expect.stringContaining('image/png')
    });
    expect(textsFromOutput({})).toEqual({
      ok: false,
      reason: 'The output is empty.'
    });
    expect(
      textsFromOutput({ 'application/vnd.jupyter.error': {} })
    ).toMatchObject({
      ok: false,
      reason: expect.stringContaining('error')
    });
    expect(textsFromOutput({ 'text/plain': '   ' })).toMatchObject({
      ok: false
    });
    expect(textsFromOutput({ 'application/json': '' })).toMatchObject({
      ok: false,
      reason: 'The output text is empty.'
    });
  });
});
