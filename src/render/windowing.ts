/**
 * Row windowing of a large sample, as pure logic: which row groups are in the
 * DOM for a scroll position, and what changes from one window to the next.
 * The DOM side is `sample-view.ts`.
 */

/** Row groups drawn above and below the visible ones. */
export const OVERSCAN_GROUPS = 4;
/** Row groups drawn before the first layout (or without layout, e.g. jsdom). */
export const INITIAL_GROUPS = 40;

/** Groups `first..last` in the DOM (`last < first`: none). */
export interface IGroupRange {
  first: number;
  last: number;
}

export interface IWindowInput {
  groupCount: number;
  /** Height of one row group (px). */
  groupHeight: number;
  scrollTop: number;
  /** Height of the scroll box (px); 0 when not laid out. */
  viewHeight: number;
  /** The window now in the DOM. */
  current: IGroupRange;
  /** The group of the focused cell: kept in the DOM when near the window. */
  focusGroup?: number;
}

/** The groups to have in the DOM. */
export function windowRange(input: IWindowInput): IGroupRange {
  const { groupCount, groupHeight, scrollTop, viewHeight, current } = input;
  let first: number;
  let last: number;
  if (viewHeight > 0) {
    const top = Math.floor(scrollTop / groupHeight);
    const visible = Math.ceil(viewHeight / groupHeight);
    first = Math.max(0, top - OVERSCAN_GROUPS);
    last = Math.min(groupCount - 1, top + visible + OVERSCAN_GROUPS);
  } else {
    first = current.first;
    last = Math.min(groupCount - 1, first + INITIAL_GROUPS - 1);
  }
  const keep = input.focusGroup;
  // Keep the focused cell in the DOM: focus must not be lost on scroll.
  if (keep !== undefined && keep < first && first - keep <= INITIAL_GROUPS) {
    first = keep;
  } else if (
    keep !== undefined &&
    keep > last &&
    keep - last <= INITIAL_GROUPS
  ) {
    last = keep;
  }
  return { first, last };
}

/** How to go from the window in the DOM to the next one. */
export interface IWindowEdit {
  /** Remove every group and draw `next` anew (the windows do not overlap). */
  replace: boolean;
  /** Groups to remove at the start and at the end (when not replacing). */
  dropFront: number;
  dropBack: number;
  /** Groups to add before and after the kept ones (may be empty). */
  addBefore: IGroupRange;
  addAfter: IGroupRange;
}

/** The edit from `current` (groups in the DOM) to `next`. */
export function windowEdit(
  current: IGroupRange,
  next: IGroupRange
): IWindowEdit {
  const empty = { first: 0, last: -1 };
  const overlaps =
    current.last >= current.first &&
    next.first <= current.last &&
    next.last >= current.first;
  if (!overlaps) {
    return {
      replace: true,
      dropFront: 0,
      dropBack: 0,
      addBefore: empty,
      addAfter: empty
    };
  }
  return {
    replace: false,
    dropFront: Math.max(0, next.first - current.first),
    dropBack: Math.max(0, current.last - next.last),
    addBefore: { first: next.first, last: current.first - 1 },
    addAfter: { first: current.last + 1, last: next.last }
  };
}

/** Heights of the spacers above and below a window (px). */
export function spacerHeights(
  range: IGroupRange,
  groupCount: number,
  groupHeight: number
): { top: number; bottom: number } {
  return {
    top: Math.max(0, range.first * groupHeight),
    bottom: Math.max(0, (groupCount - 1 - range.last) * groupHeight)
  };
}

/**
 * The scroll position and window start that bring group `group` into view
 * (keyboard focus moved outside the window).
 */
export function scrollToGroup(
  group: number,
  groupHeight: number
): { scrollTop: number; first: number } {
  return {
    scrollTop: Math.max(0, group * groupHeight - groupHeight),
    first: Math.max(0, group - OVERSCAN_GROUPS)
  };
}
