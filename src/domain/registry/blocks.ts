// Unit blocks: contiguous serial ranges held by one account for one unit type.
// A holding is a list of ranges sorted by serial, never overlapping and never adjacent (adjacent ones merge).
// A block is identified by its holding and its serials; it needs no id of its own.
import { assert } from '../assert.js';

export interface SerialRange {
  readonly start: bigint;
  readonly end: bigint; // inclusive
}

export function rangeSize(r: SerialRange): bigint {
  return r.end - r.start + 1n;
}

export function totalSize(ranges: readonly SerialRange[]): bigint {
  let sum = 0n;
  for (const r of ranges) sum += r.end - r.start + 1n;
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
  readonly remaining: SerialRange[];
}

/**
 * Takes `quantity` units oldest-serial first: whole blocks from the start of the holding, and at most one
 * split, whose lower part moves and whose upper part stays. Returns null when the holding is too small.
 */
export function takeOldest(holding: readonly SerialRange[], quantity: bigint): Taken | null {
  assert(quantity > 0n, 'a quantity to take is positive');
  const moved: SerialRange[] = [];
  let left = quantity;
  let i = 0;
  for (; i < holding.length && left > 0n; i++) {
    const b = holding[i]!;
    const size = rangeSize(b);
    if (size <= left) {
      moved.push(b);
      left -= size;
    } else {
      moved.push({ start: b.start, end: b.start + left - 1n });
      return { moved, remaining: [{ start: b.start + left, end: b.end }, ...holding.slice(i + 1)] };
    }
  }
  if (left > 0n) return null;
  return { moved, remaining: holding.slice(i) };
}

/**
 * Takes exactly the given serial ranges (a reversal returns the very units it reverses). Returns the rest of
 * the holding, or null when any serial of `ranges` is not in it.
 */
export function takeExact(holding: readonly SerialRange[], ranges: readonly SerialRange[]): SerialRange[] | null {
  let blocks: SerialRange[] = [...holding];
  for (const r of ranges) {
    const i = blocks.findIndex((b) => b.start <= r.start && r.end <= b.end);
    if (i < 0) return null;
    const b = blocks[i]!;
    const pieces: SerialRange[] = [];
    if (b.start < r.start) pieces.push({ start: b.start, end: r.start - 1n });
    if (r.end < b.end) pieces.push({ start: r.end + 1n, end: b.end });
    blocks = [...blocks.slice(0, i), ...pieces, ...blocks.slice(i + 1)];
  }
  return blocks;
}

/** Adds arriving ranges to a holding, merging each with the blocks it touches. */
export function addRanges(holding: readonly SerialRange[], arriving: readonly SerialRange[]): SerialRange[] {
  let blocks: SerialRange[] = [...holding];
  for (const r of arriving) {
    let i = 0;
    while (i < blocks.length && blocks[i]!.start < r.start) i++;
    const before = blocks[i - 1];
    const after = blocks[i];
    assert(before === undefined || before.end < r.start, 'an arriving range does not overlap the holding');
    assert(after === undefined || r.end < after.start, 'an arriving range does not overlap the holding');
    const joinsBefore = before !== undefined && before.end + 1n === r.start;
    const joinsAfter = after !== undefined && r.end + 1n === after.start;
    const merged = { start: joinsBefore ? before.start : r.start, end: joinsAfter ? after.end : r.end };
    blocks = [...blocks.slice(0, joinsBefore ? i - 1 : i), merged, ...blocks.slice(joinsAfter ? i + 1 : i)];
  }
  return blocks;
}

/** Sorts ranges by serial and merges adjacent ones (for comparing holdings however they are cut). */
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
