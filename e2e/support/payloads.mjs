/**
 * Payloads used by the browser tests. Values are written out or derived by
 * simple formulas here, never produced by the code under test.
 */

/** 44 characters, 20 per row: rows of 20, 20 and 4 cells. */
export const PLOT_TEXT = 'The plot was dull but the acting was superb.';

/** Values on a 0.1 grid cycling through 0..1 (exact 0, 0.5 and 1 included). */
export const PLOT_VALUES = [...PLOT_TEXT].map((_, i) => ((i * 7) % 11) / 10);

/** A batch of two samples, fixed colour scale 0..1, Reds. */
export const BATCH = {
  version: 1,
  title: 'Attention of the review classifier',
  options: { colormap: 'Reds', vmin: 0, vmax: 1, charsPerRow: 20 },
  samples: [
    {
      title: 'review 1',
      text: PLOT_TEXT,
      attention: PLOT_VALUES,
      prediction: 0.82,
      label: 'positive'
    },
    {
      title: 'review 2',
      text: 'Fine.',
      attention: [0.2, 0.4, 0.6, 0.8, 1],
      prediction: 0.61,
      label: 'positive'
    }
  ]
};

/** attention has 3 values for 4 characters. */
export const MALFORMED = {
  version: 1,
  text: 'abcd',
  attention: [0.1, 0.2, 0.3]
};

/** Every user string tries to run script; a page flag must stay unset. */
export const XSS_FLAG = '__charAttentionXss';
const xss = n =>
  `<img src=x onerror="window.${XSS_FLAG}=${n}"><script>window.${XSS_FLAG}=${n}</script><svg onload="window.${XSS_FLAG}=${n}">`;
export const XSS = {
  version: 1,
  title: xss(1),
  meta: { note: xss(2) },
  samples: [
    {
      title: xss(3),
      tokens: [xss(4), '"><b>', "'-alert(1)-'", 'javascript:alert(1)'],
      attention: [0.9, 0.1, 0.5, 0.3],
      label: xss(5),
      meta: { source: xss(6) }
    },
    {
      text: '<iframe src="javascript:alert(1)">',
      series: [
        {
          name: xss(7),
          values: [...'<iframe src="javascript:alert(1)">'].map(
            (_, i) => i / 40
          )
        }
      ]
    }
  ]
};

/**
 * Attention a trained model might give: small everywhere, peaks on the words
 * that carry the sentiment, normalised to sum 1 like a softmax output.
 */
function peakedAttention(text, words) {
  const raw = [...text].map(() => 0.15);
  for (const [word, strength] of words) {
    const start = text.indexOf(word);
    if (start < 0) {
      throw new Error(`"${word}" is not in "${text}"`);
    }
    const center = start + (word.length - 1) / 2;
    const width = Math.max(2, word.length / 2);
    raw.forEach((_, i) => {
      raw[i] += strength * Math.exp(-(((i - center) / width) ** 2));
    });
  }
  const total = raw.reduce((a, b) => a + b, 0);
  return raw.map(v => Number((v / total).toFixed(5)));
}

const REVIEWS = [
  {
    text: 'An absolute delight from start to finish: the acting is superb and the ending genuinely moving.',
    words: [
      ['delight', 3],
      ['superb', 2.6],
      ['moving', 1.8],
      ['absolute', 0.8]
    ],
    prediction: 0.973,
    label: 'positive'
  },
  {
    text: 'Dull, predictable and far too long. I nearly fell asleep halfway through the second act.',
    words: [
      ['Dull', 3.2],
      ['predictable', 2.2],
      ['asleep', 2],
      ['too long', 1.2]
    ],
    prediction: 0.041,
    label: 'negative'
  }
];

/** Two movie reviews as a char-level attention model would show them. */
export function reviewsPayload(colormap = 'Reds') {
  return {
    version: 1,
    title: 'Which characters does the sentiment model attend to?',
    options: { colormap, charsPerRow: 40, precision: 4 },
    meta: { model: 'weights.best.hdf5', layer: 'attention_vec' },
    samples: REVIEWS.map((review, i) => ({
      title: `review ${i + 1}`,
      text: review.text,
      attention: peakedAttention(review.text, review.words),
      prediction: review.prediction,
      label: review.label
    }))
  };
}
