// Unit blocks: contiguous serial ranges held by one account for one unit type.
// A holding is a list of ranges sorted by serial, never overlapping and never adjacent (adjacent ones merge).
import { assert } from '../assert.js';

export interface SerialRange {
  readonly start: bigint;
  readonly end: bigint; // inclusive
}

/** A block as stored: a range with the id of its row (new blocks get fresh ids). */
export interface Block extends SerialRange {
  readonly id: string;
}

export function rangeSize(r: SerialRange): bigint {
  return r.end - r.start + 1n;
}

export function totalSize(ranges: readonly SerialRange[]): bigint {
  let sum = 0n;
  for (const r of ranges) sum += rangeSize(r);
  return sum;
}

export function assertWellFormed(blocks: readonly SerialRange[], where: string): void {
  for (let i = 0; i < blocks.length; i++) {
    const b = blocks[i]!;
    assert(b.start >= 1n && b.end >= b.start, `${where}: block ${i} is a non-empty range of positive serials`);
    if (i > 0) assert(blocks[i - 1]!.end + 1n < b.start, `${where}: blocks sorted, disjoint and not adjacent`);
  }
}

export interface Taken {
  readonly moved: SerialRange[];
  readonly remaining: Block[];
}

/**
 * Takes `quantity` units oldest-serial first: whole blocks from the start of the holding, and at most one
 * split, whose lower part moves and whose upper part stays under the block's id. Returns null when the
 * holding is too small.
 */
export function takeOldest(holding: readonly Block[], quantity: bigint): Taken | null {
  assert(quantity > 0n, 'a quantity to take is positive');
  const moved: SerialRange[] = [];
  let left = quantity;
  let i = 0;
  for (; i < holding.length && left > 0n; i++) {
    const b = holding[i]!;
    const size = rangeSize(b);
    if (size <= left) {
      moved.push({ start: b.start, end: b.end });
      left -= size;
    } else {
      moved.push({ start: b.start, end: b.start + left - 1n });
      const rest: Block = { id: b.id, start: b.start + left, end: b.end };
      return { moved, remaining: [rest, ...holding.slice(i + 1)] };
    }
  }
  if (left > 0n) return null;
  return { moved, remaining: holding.slice(i) };
}

/**
 * Takes exactly the given serial ranges (a reversal returns the very units it reverses). Returns null when
 * any serial of `ranges` is not in the holding. Blocks cut in the middle keep their id on the lower part.
 */
export function takeExact(holding: readonly Block[], ranges: readonly SerialRange[], newId: () => string): Block[] | null {
  let blocks: Block[] = [...holding];
  for (const r of ranges) {
    const i = blocks.findIndex((b) => b.start <= r.start && r.end <= b.end);
    if (i < 0) return null;
    const b = blocks[i]!;
    const pieces: Block[] = [];
    if (b.start < r.start) pieces.push({ id: b.id, start: b.start, end: r.start - 1n });
    if (r.end < b.end) pieces.push({ id: pieces.length === 0 ? b.id : newId(), start: r.end + 1n, end: b.end });
    blocks = [...blocks.slice(0, i), ...pieces, ...blocks.slice(i + 1)];
  }
  return blocks;
}

/**
 * Adds arriving ranges to a holding, merging with adjacent blocks. A merged block keeps the id of the block
 * already held (the lowest one when an arrival bridges two); an arrival that merges with nothing gets a new id.
 */
export function addRanges(holding: readonly Block[], arriving: readonly SerialRange[], newId: () => string): Block[] {
  let blocks: Block[] = [...holding];
  for (const r of arriving) {
    let i = 0;
    while (i < blocks.length && blocks[i]!.start < r.start) i++;
    const before = blocks[i - 1];
    const after = blocks[i];
    assert(before === undefined || before.end < r.start, 'an arriving range does not overlap the holding');
    assert(after === undefined || r.end < after.start, 'an arriving range does not overlap the holding');
    const joinsBefore = before !== undefined && before.end + 1n === r.start;
    const joinsAfter = after !== undefined && r.end + 1n === after.start;
    if (joinsBefore && joinsAfter) {
      blocks = [...blocks.slice(0, i - 1), { id: before.id, start: before.start, end: after.end }, ...blocks.slice(i + 1)];
    } else if (joinsBefore) {
      blocks = [...blocks.slice(0, i - 1), { id: before.id, start: before.start, end: r.end }, ...blocks.slice(i)];
    } else if (joinsAfter) {
      blocks = [...blocks.slice(0, i), { id: after.id, start: r.start, end: after.end }, ...blocks.slice(i + 1)];
    } else {
      blocks = [...blocks.slice(0, i), { id: newId(), start: r.start, end: r.end }, ...blocks.slice(i)];
    }
  }
  return blocks;
}

/** Sorts ranges by serial and merges adjacent ones (for comparing holdings regardless of block ids). */
export function normalize(ranges: readonly SerialRange[]): SerialRange[] {
  const sorted = [...ranges].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const out: SerialRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && last.end + 1n >= r.start) {
      out[out.length - 1] = { start: last.start, end: r.end > last.end ? r.end : last.end };
    } else {
      out.push({ start: r.start, end: r.end });
    }
  }
  return out;
}
