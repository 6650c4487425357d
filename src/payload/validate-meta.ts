/**
 * The validator's rule for `meta` (R14): an object of anything, nested at
 * most MAX_META_DEPTH levels, with strings of at most MAX_STRING_LENGTH
 * units. Walked iteratively: deep junk must not overflow the stack. Pure.
 */
import {
  Collector,
  describeType,
  isObject,
  joinPath,
  Json,
  LIMITS
} from './validate-problems';

export function validateMeta(meta: unknown, path: string, c: Collector): void {
  if (!isObject(meta)) {
    c.add(path, `must be an object, got ${describeType(meta)}`);
    return;
  }
  const stack: Array<{ value: unknown; path: string; depth: number }> = [
    { value: meta, path, depth: 1 }
  ];
  let reportedDepth = false;
  let longStrings = 0;
  while (stack.length > 0) {
    const { value, path: here, depth } = stack.pop()!;
    if (typeof value === 'string') {
      if (value.length > LIMITS.MAX_STRING_LENGTH) {
        longStrings++;
        if (longStrings <= LIMITS.MAX_ITEM_PROBLEMS) {
          c.add(
            here,
            `is ${value.length} characters long (at most ${LIMITS.MAX_STRING_LENGTH})`
          );
        }
      }
      continue;
    }
    if (typeof value !== 'object' || value === null) {
      continue;
    }
    if (depth > LIMITS.MAX_META_DEPTH) {
      if (!reportedDepth) {
        c.add(
          path,
          `is nested more than ${LIMITS.MAX_META_DEPTH} levels deep (at ${here})`
        );
        reportedDepth = true;
      }
      continue;
    }
    pushChildren(value, here, depth, stack);
  }
  if (longStrings > LIMITS.MAX_ITEM_PROBLEMS) {
    c.add(
      path,
      `has ${longStrings - LIMITS.MAX_ITEM_PROBLEMS} more too-long strings`
    );
  }
}

/** The items of an array or object, pushed so that the first is walked first. */
function pushChildren(
  value: object,
  here: string,
  depth: number,
  stack: Array<{ value: unknown; path: string; depth: number }>
): void {
  if (Array.isArray(value)) {
    for (let i = value.length - 1; i >= 0; i--) {
      stack.push({
        value: value[i],
        path: joinPath(here, i),
        depth: depth + 1
      });
    }
  } else {
    const keys = Object.keys(value);
    for (let i = keys.length - 1; i >= 0; i--) {
      stack.push({
        value: (value as Json)[keys[i]],
        path: joinPath(here, keys[i]),
        depth: depth + 1
      });
    }
  }
}
