/**
 * Object headers: the list of messages (type, place, size) of one group or
 * dataset, across its continuation blocks. Version 1 headers (h5py's
 * default) and version 2 (`OHDR`, `libver="latest"`). Each continuation
 * block is visited once in the whole file. Pure.
 */
import { ByteView, H5Error } from './bytes';
import { ReadBudget } from './read-budget';

/** One header message; its body is `size` bytes at `at` in the file. */
export interface IMessage {
  type: number;
  at: number;
  size: number;
  flags: number;
}

export const MSG = {
  DATASPACE: 0x01,
  LINK_INFO: 0x02,
  DATATYPE: 0x03,
  LINK: 0x06,
  EXTERNAL_FILES: 0x07,
  LAYOUT: 0x08,
  FILTERS: 0x0b,
  ATTRIBUTE: 0x0c,
  CONTINUATION: 0x10,
  SYMBOL_TABLE: 0x11,
  ATTRIBUTE_INFO: 0x15
} as const;

/** Message flag: the body is a reference to a shared message elsewhere. */
export const SHARED_FLAG = 0x02;

interface IBlock {
  at: number;
  end: number;
}

/** The messages of the object header at `address`. */
export function readObjectHeader(
  view: ByteView,
  address: number,
  budget: ReadBudget
): IMessage[] {
  if (view.hasSignature(address, 'OHDR')) {
    return Private.version2(view, address, budget);
  }
  const version = view.u8(address, 'an object header');
  if (version !== 1) {
    throw new H5Error(
      `the object header at byte ${address} has version ${version} (expected 1, or an 'OHDR' signature): the file is damaged`
    );
  }
  return Private.version1(view, address, budget);
}

namespace Private {
  const V1_PREFIX = 16;
  const V1_MESSAGE_HEADER = 8;

  export function version1(
    view: ByteView,
    address: number,
    budget: ReadBudget
  ): IMessage[] {
    const count = view.u16(address + 2, 'an object header');
    const size = view.u32(address + 8, 'an object header');
    const blocks: IBlock[] = [block(view, address + V1_PREFIX, size)];
    const messages: IMessage[] = [];
    for (let b = 0; b < blocks.length && messages.length < count; b++) {
      let at = blocks[b].at;
      while (
        at + V1_MESSAGE_HEADER <= blocks[b].end &&
        messages.length < count
      ) {
        const type = view.u16(at, 'a header message');
        const length = view.u16(at + 2, 'a header message');
        const flags = view.u8(at + 4, 'a header message');
        const body = at + V1_MESSAGE_HEADER;
        if (body + length > blocks[b].end) {
          throw new H5Error(
            `a header message at byte ${at} runs past its object header block: the file is damaged`
          );
        }
        messages.push({ type, at: body, size: length, flags });
        if (type === MSG.CONTINUATION) {
          blocks.push(continuation(view, body, budget, 0));
        }
        at = body + length;
      }
    }
    return messages;
  }

  export function version2(
    view: ByteView,
    address: number,
    budget: ReadBudget
  ): IMessage[] {
    const flags = view.u8(address + 5, 'an object header');
    let at = address + 6;
    if (flags & 0x20) {
      at += 16; // access, modification, change and birth times
    }
    if (flags & 0x10) {
      at += 4; // attribute storage phase change values
    }
    const sizeBytes = 1 << (flags & 3);
    const size = view.uint(at, sizeBytes, 'an object header');
    at += sizeBytes;
    const order = flags & 0x04 ? 2 : 0;
    const blocks: IBlock[] = [block(view, at, size)];
    const messages: IMessage[] = [];
    for (let b = 0; b < blocks.length; b++) {
      let p = blocks[b].at;
      while (p + 4 + order <= blocks[b].end) {
        const type = view.u8(p, 'a header message');
        const length = view.u16(p + 1, 'a header message');
        const messageFlags = view.u8(p + 3, 'a header message');
        const body = p + 4 + order;
        if (body + length > blocks[b].end) {
          throw new H5Error(
            `a header message at byte ${p} runs past its object header block: the file is damaged`
          );
        }
        messages.push({ type, at: body, size: length, flags: messageFlags });
        if (type === MSG.CONTINUATION) {
          blocks.push(continuation(view, body, budget, 4));
        }
        p = body + length;
      }
    }
    return messages;
  }

  export function block(view: ByteView, at: number, size: number): IBlock {
    view.need(at, size, 'an object header block');
    return { at, end: at + size };
  }

  /** A continuation block (version 2 ones start with `OCHK` and end with a checksum). */
  export function continuation(
    view: ByteView,
    body: number,
    budget: ReadBudget,
    signature: number
  ): IBlock {
    const at = view.u64(body, 'a continuation message');
    const length = view.u64(body + 8, 'a continuation message');
    budget.visit('header-block', at, 'an object header continuation block');
    if (signature) {
      view.signature(at, 'OCHK', 'an object header continuation block');
      if (length < 8) {
        throw new H5Error(
          `an object header continuation block at byte ${at} is ${length} bytes long: the file is damaged`
        );
      }
      return block(view, at + 4, length - 8);
    }
    return block(view, at, length);
  }
}
