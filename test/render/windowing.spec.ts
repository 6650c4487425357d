import {
  INITIAL_GROUPS,
  OVERSCAN_GROUPS,
  scrollToGroup,
  spacerHeights,
  windowEdit,
  windowRange
} from '../../src/render/windowing';

const none = { first: 0, last: -1 };

describe('windowRange', () => {
  it('covers the visible groups and a few around them', () => {
    // 20 px groups, a 200 px box scrolled to group 100.
    expect(
      windowRange({
        groupCount: 2000,
        groupHeight: 20,
        scrollTop: 2000,
        viewHeight: 200,
        current: none
      })
    ).toEqual({ first: 100 - OVERSCAN_GROUPS, last: 110 + OVERSCAN_GROUPS });
  });

  it('stays inside the sample', () => {
    expect(
      windowRange({
        groupCount: 5,
        groupHeight: 20,
        scrollTop: 0,
        viewHeight: 480,
        current: none
      })
    ).toEqual({ first: 0, last: 4 });
  });

  it('draws a first block of groups from where it is before any layout', () => {
    expect(
      windowRange({
        groupCount: 2000,
        groupHeight: 20,
        scrollTop: 0,
        viewHeight: 0,
        current: { first: 100, last: 139 }
      })
    ).toEqual({ first: 100, last: 100 + INITIAL_GROUPS - 1 });
  });

  it('keeps the focused group in the DOM when it is near the window', () => {
    const base = {
      groupCount: 2000,
      groupHeight: 20,
      scrollTop: 2000,
      viewHeight: 200,
      current: none
    };
    expect(windowRange({ ...base, focusGroup: 80 }).first).toBe(80);
    expect(windowRange({ ...base, focusGroup: 130 }).last).toBe(130);
    // Far away: the focused cell is left out (drawn again when focused).
    expect(windowRange({ ...base, focusGroup: 1500 })).toEqual({
      first: 96,
      last: 114
    });
  });
});

describe('windowEdit', () => {
  it('replaces everything when the windows do not overlap', () => {
    expect(
      windowEdit({ first: 0, last: 39 }, { first: 100, last: 120 })
    ).toMatchObject({ replace: true });
    expect(windowEdit(none, { first: 0, last: 10 })).toMatchObject({
      replace: true
    });
  });

  it('keeps the groups still in view and adds only the edges', () => {
    expect(
      windowEdit({ first: 10, last: 30 }, { first: 15, last: 40 })
    ).toEqual({
      replace: false,
      dropFront: 5,
      dropBack: 0,
      addBefore: { first: 15, last: 9 },
      addAfter: { first: 31, last: 40 }
    });
    expect(windowEdit({ first: 10, last: 30 }, { first: 5, last: 25 })).toEqual(
      {
        replace: false,
        dropFront: 0,
        dropBack: 5,
        addBefore: { first: 5, last: 9 },
        addAfter: { first: 31, last: 25 }
      }
    );
  });
});

describe('spacers and scrolling to a group', () => {
  it('gives the spacers the height of the groups left out', () => {
    expect(spacerHeights({ first: 10, last: 19 }, 100, 20)).toEqual({
      top: 200,
      bottom: 1600
    });
    expect(spacerHeights({ first: 0, last: 99 }, 100, 20)).toEqual({
      top: 0,
      bottom: 0
    });
  });

  it('scrolls a row above the group and starts the window before it', () => {
    expect(scrollToGroup(50, 20)).toEqual({
      scrollTop: 980,
      first: 50 - OVERSCAN_GROUPS
    });
    expect(scrollToGroup(0, 20)).toEqual({ scrollTop: 0, first: 0 });
  });
});
