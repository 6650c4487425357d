/**
 * Inflating deflate data (zip entries, HDF5 chunks) no further than a limit:
 * the input is pushed in slices small enough that one slice cannot produce
 * much more than the limit (deflate expands at most about 1,032-fold), and
 * inflating stops as soon as the output passes it. Pure.
 */
import { Inflate, Unzlib } from 'fflate';
import { messageOf } from '../../payload/error-message';

export type InflateResult =
  | { ok: true; bytes: Uint8Array }
  | { ok: false; reason: 'over' | 'truncated' }
  | { ok: false; reason: 'invalid'; detail: string };

/**
 * The inflated bytes of `data` (raw deflate, or zlib with its header and
 * checksum), or why not: more than `limit` bytes, a stream that ends early,
 * or invalid data.
 */
export function inflateBounded(
  data: Uint8Array,
  limit: number,
  format: 'raw' | 'zlib'
): InflateResult {
  const chunks: Uint8Array[] = [];
  let total = 0;
  let over = false;
  let done = false;
  const onData = (chunk: Uint8Array, final: boolean) => {
    total += chunk.length;
    if (total > limit) {
      over = true;
    } else {
      chunks.push(chunk);
    }
    if (final) {
      done = true;
    }
  };
  const stream = format === 'raw' ? new Inflate(onData) : new Unzlib(onData);
  const slice = Math.min(16 << 10, Math.max(512, Math.ceil(limit / 512)));
  try {
    for (let at = 0; at < data.length && !over && !done; at += slice) {
      const end = Math.min(at + slice, data.length);
      stream.push(data.subarray(at, end), end === data.length);
    }
  } catch (error) {
    return {
      ok: false,
      reason: 'invalid',
      detail: messageOf(error)
    };
  }
  if (over) {
    return { ok: false, reason: 'over' };
  }
  if (!done) {
    return { ok: false, reason: 'truncated' };
  }
  if (chunks.length === 1) {
    return { ok: true, bytes: chunks[0] };
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return { ok: true, bytes: out };
}
