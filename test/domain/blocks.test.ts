// Property tests of unit blocks (pure). Holdings are generated from a row of labelled serials: maximal runs
// of held serials become blocks, so every generated holding is sorted, disjoint and never adjacent. The
// oracle enumerates serials one by one (holdings are small), independently of the code under test.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { InvariantError } from '../../src/domain/assert.js';
import {
  addRanges,
  assertWellFormed,
  normalize,
  rangeSize,
  takeExact,
  takeOldest,
  totalSize,
  type SerialRange,
} from '../../src/domain/registry/blocks.js';

const RUNS = 300;

// ---- helpers --------------------------------------------------------------------------------------------

/** Every serial of the ranges, ascending, duplicates kept. */
function serialsOf(ranges: readonly SerialRange[]): bigint[] {
  const out: bigint[] = [];
  for (const r of ranges) for (let s = r.start; s <= r.end; s++) out.push(s);
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Maximal runs of consecutive serials (input ascending, no duplicates). */
function runsOf(serials: readonly bigint[]): SerialRange[] {
  const out: SerialRange[] = [];
  for (const s of serials) {
    const last = out[out.length - 1];
    if (last !== undefined && last.end + 1n === s) out[out.length - 1] = { start: last.start, end: s };
    else out.push({ start: s, end: s });
  }
  return out;
}

function isWellFormed(ranges: readonly SerialRange[]): boolean {
  return ranges.every((r, i) => r.start >= 1n && r.end >= r.start && (i === 0 || ranges[i - 1]!.end + 1n < r.start));
}

/** Ranges as plain pairs, so that comparisons ignore object identity and extra properties. */
function plain(ranges: readonly SerialRange[]): [bigint, bigint][] {
  return ranges.map((r) => [r.start, r.end]);
}

function copyOf(ranges: readonly SerialRange[]): SerialRange[] {
  return ranges.map((r) => ({ start: r.start, end: r.end }));
}

/** Serials from offset + 1 up, one label each; the tests group them into holdings and arrivals. */
interface Layout<L> {
  readonly offset: bigint;
  readonly labels: readonly L[];
}

function layout<L>(labels: readonly L[]): fc.Arbitrary<Layout<L>> {
  return fc.record({
    // Small serials most of the time; sometimes far beyond 2^53 to exercise bigint arithmetic.
    offset: fc.oneof({ arbitrary: fc.constant(0n), weight: 3 }, { arbitrary: fc.bigInt({ min: 0n, max: 1n << 62n }), weight: 1 }),
    labels: fc.array(fc.constantFrom(...labels), { maxLength: 60, size: 'medium' }),
  });
}

function serialsLabelled<L>(l: Layout<L>, keep: (label: L) => boolean): bigint[] {
  const out: bigint[] = [];
  l.labels.forEach((label, i) => {
    if (keep(label)) out.push(l.offset + BigInt(i) + 1n);
  });
  return out;
}

/** A well-formed holding (possibly empty). */
const holdingArb: fc.Arbitrary<SerialRange[]> = layout([false, true, true]).map((l) => runsOf(serialsLabelled(l, (held) => held)));
const nonEmptyHoldingArb = holdingArb.filter((h) => h.length > 0);

/** Cuts ranges into smaller pieces (at generated points) and shuffles them (by generated sort keys). */
function cutAndShuffle(ranges: readonly SerialRange[], cuts: readonly boolean[], order: readonly number[]): SerialRange[] {
  const pieces: SerialRange[] = [];
  let c = 0;
  for (const r of ranges) {
    let start = r.start;
    for (let s = r.start + 1n; s <= r.end; s++) {
      if (cuts[c++ % Math.max(cuts.length, 1)] === true) {
        pieces.push({ start, end: s - 1n });
        start = s;
      }
    }
    pieces.push({ start, end: r.end });
  }
  return pieces
    .map((p, i) => ({ p, key: order[i % Math.max(order.length, 1)] ?? 0, i }))
    .sort((a, b) => a.key - b.key || a.i - b.i)
    .map(({ p }) => p);
}

const cutsArb = fc.array(fc.boolean(), { maxLength: 40, size: 'medium' });
const orderArb = fc.array(fc.nat({ max: 1000 }), { maxLength: 40, size: 'medium' });

// ---- takeOldest -----------------------------------------------------------------------------------------

describe('takeOldest', () => {
  const withQuantity = nonEmptyHoldingArb.chain((holding) => fc.record({ holding: fc.constant(holding), quantity: fc.bigInt({ min: 1n, max: totalSize(holding) }) }));

  it('moves exactly the requested quantity, and those are the lowest serials of the holding', () => {
    fc.assert(
      fc.property(withQuantity, ({ holding, quantity }) => {
        const taken = takeOldest(holding, quantity);
        assert.ok(taken !== null);
        assert.equal(totalSize(taken.moved), quantity);
        const all = serialsOf(holding);
        assert.deepEqual(serialsOf(taken.moved), all.slice(0, Number(quantity)));
        assert.deepEqual(serialsOf(taken.remaining), all.slice(Number(quantity)));
      }),
      { numRuns: RUNS },
    );
  });

  it('moves whole blocks oldest first and splits at most one block, whose upper part stays', () => {
    fc.assert(
      fc.property(withQuantity, ({ holding, quantity }) => {
        const { moved, remaining } = takeOldest(holding, quantity)!;
        const k = moved.length - 1;
        assert.deepEqual(plain(moved.slice(0, k)), plain(holding.slice(0, k)), 'all moved blocks but the last are whole held blocks, in order');
        const last = moved[k]!;
        const source = holding[k]!;
        assert.equal(last.start, source.start, 'the last moved range starts where its block starts');
        assert.ok(last.end <= source.end);
        const rest = last.end < source.end ? [{ start: last.end + 1n, end: source.end }] : [];
        assert.deepEqual(plain(remaining), plain([...rest, ...holding.slice(k + 1)]), 'only the split block changes; later blocks stay as they were');
        assert.ok(isWellFormed(remaining), 'remaining blocks are sorted, disjoint and not adjacent');
        assert.ok(isWellFormed(moved), 'moved ranges are sorted, disjoint and not adjacent');
      }),
      { numRuns: RUNS },
    );
  });

  it('partitions the holding: moved and remaining are disjoint and together are the original serials', () => {
    fc.assert(
      fc.property(withQuantity, ({ holding, quantity }) => {
        const before = copyOf(holding);
        const { moved, remaining } = takeOldest(holding, quantity)!;
        assert.deepEqual(plain(holding), plain(before), 'the holding is not mutated');
        const both = serialsOf([...moved, ...remaining]);
        assert.equal(new Set(both).size, both.length, 'no serial is both moved and remaining');
        assert.deepEqual(both, serialsOf(holding));
        assert.equal(totalSize(moved) + totalSize(remaining), totalSize(holding));
      }),
      { numRuns: RUNS },
    );
  });

  it('returns null when the holding is smaller than the quantity', () => {
    fc.assert(
      fc.property(holdingArb, fc.bigInt({ min: 1n, max: 1000n }), (holding, extra) => {
        assert.equal(takeOldest(holding, totalSize(holding) + extra), null);
      }),
      { numRuns: RUNS },
    );
  });

  it('treats a quantity that is not positive as an invariant violation', () => {
    assert.throws(() => takeOldest([{ start: 1n, end: 5n }], 0n), InvariantError);
    assert.throws(() => takeOldest([{ start: 1n, end: 5n }], -1n), InvariantError);
  });

  it('takes 15 of [1–10, 21–30] as 1–10 and 21–25, leaving 26–30', () => {
    const taken = takeOldest(
      [
        { start: 1n, end: 10n },
        { start: 21n, end: 30n },
      ],
      15n,
    );
    assert.ok(taken !== null);
    assert.deepEqual(plain(taken.moved), [
      [1n, 10n],
      [21n, 25n],
    ]);
    assert.deepEqual(plain(taken.remaining), [[26n, 30n]]);
  });

  it('takes a whole holding exactly, leaving nothing, and nothing from an empty holding', () => {
    const taken = takeOldest([{ start: 7n, end: 9n }], 3n);
    assert.ok(taken !== null);
    assert.deepEqual(plain(taken.moved), [[7n, 9n]]);
    assert.deepEqual(taken.remaining, []);
    assert.equal(takeOldest([], 1n), null);
  });
});

// ---- takeExact ------------------------------------------------------------------------------------------

describe('takeExact', () => {
  // Labels: 0 not held, 1 held and kept, 2 held and taken. Taken serials are cut into pieces and shuffled.
  const caseArb = fc.record({ l: layout([0, 1, 1, 2, 2]), cuts: cutsArb, order: orderArb }).map(({ l, cuts, order }) => ({
    holding: runsOf(serialsLabelled(l, (x) => x !== 0)),
    ranges: cutAndShuffle(runsOf(serialsLabelled(l, (x) => x === 2)), cuts, order),
    kept: serialsLabelled(l, (x) => x === 1),
  }));

  it('removes exactly the given serials, in any order, and leaves a well-formed holding', () => {
    fc.assert(
      fc.property(caseArb, ({ holding, ranges, kept }) => {
        const before = copyOf(holding);
        const left = takeExact(holding, ranges);
        assert.ok(left !== null);
        assert.deepEqual(plain(holding), plain(before), 'the holding is not mutated');
        assert.deepEqual(serialsOf(left), kept);
        assert.deepEqual(plain(left), plain(runsOf(kept)), 'the blocks left are the maximal runs of the kept serials');
        assert.ok(isWellFormed(left));
        assert.doesNotThrow(() => {
          assertWellFormed(left, 'takeExact');
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('returns null when any serial asked for is not held', () => {
    // Blocks are never adjacent, so one serial past either end of a block is never held; and a range taken
    // twice is no longer held the second time.
    const arb = nonEmptyHoldingArb.chain((holding) =>
      fc.record({
        holding: fc.constant(holding),
        i: fc.nat({ max: holding.length - 1 }),
        how: fc.constantFrom('past-end' as const, 'before-start' as const, 'twice' as const, 'in-gap' as const),
      }),
    );
    fc.assert(
      fc.property(arb, ({ holding, i, how }) => {
        const b = holding[i]!;
        const ranges: Record<typeof how, SerialRange[]> = {
          'past-end': [{ start: b.start, end: b.end + 1n }],
          'before-start': [{ start: b.start - 1n, end: b.end }],
          twice: [
            { start: b.end, end: b.end },
            { start: b.end, end: b.end },
          ],
          'in-gap': [{ start: b.end + 1n, end: b.end + 1n }],
        };
        fc.pre(ranges[how][0]!.start >= 1n);
        assert.equal(takeExact(holding, ranges[how]), null);
      }),
      { numRuns: RUNS },
    );
  });

  it('cuts a block in the middle into a lower and an upper part', () => {
    assert.deepEqual(plain(takeExact([{ start: 1n, end: 10n }], [{ start: 4n, end: 6n }])!), [
      [1n, 3n],
      [7n, 10n],
    ]);
    assert.deepEqual(plain(takeExact([{ start: 1n, end: 10n }], [{ start: 1n, end: 6n }])!), [[7n, 10n]]);
    assert.deepEqual(takeExact([{ start: 1n, end: 10n }], [{ start: 1n, end: 10n }]), []);
    assert.deepEqual(plain(takeExact([{ start: 1n, end: 10n }], [])!), [[1n, 10n]]);
  });

  it('refuses a range that spans two blocks, even when both ends are held', () => {
    const holding = [
      { start: 1n, end: 5n },
      { start: 7n, end: 9n },
    ];
    assert.equal(takeExact(holding, [{ start: 4n, end: 8n }]), null);
  });
});

// ---- addRanges ------------------------------------------------------------------------------------------

describe('addRanges', () => {
  // Labels: 0 not held, 1 already held, 2 arriving. Arrivals are cut into pieces and shuffled, so that they
  // touch the holding and each other in every way.
  const caseArb = fc.record({ l: layout([0, 1, 1, 2, 2]), cuts: cutsArb, order: orderArb }).map(({ l, cuts, order }) => ({
    holding: runsOf(serialsLabelled(l, (x) => x === 1)),
    arriving: cutAndShuffle(runsOf(serialsLabelled(l, (x) => x === 2)), cuts, order),
    union: serialsLabelled(l, (x) => x !== 0),
  }));

  it('results in sorted, disjoint, never adjacent blocks holding exactly the union of serials', () => {
    fc.assert(
      fc.property(caseArb, ({ holding, arriving, union }) => {
        const before = copyOf(holding);
        const result = addRanges(holding, arriving);
        assert.deepEqual(plain(holding), plain(before), 'the holding is not mutated');
        assert.ok(isWellFormed(result), 'sorted, disjoint and never adjacent');
        assert.deepEqual(serialsOf(result), union);
        assert.deepEqual(plain(result), plain(runsOf(union)), 'the blocks are the maximal runs of the union');
        assert.equal(totalSize(result), totalSize(holding) + totalSize(arriving));
      }),
      { numRuns: RUNS },
    );
  });

  it('merges one arrival with the blocks it touches and leaves every other block as it was', () => {
    // Labels: 0 free, 1 held; the arrival covers free serials only, starting at a generated free position.
    const arb = fc.record({ l: layout([0, 1, 1]), at: fc.nat(), len: fc.integer({ min: 1, max: 8 }) }).map(({ l, at, len }) => {
      const labels = [...l.labels, ...Array.from({ length: len + 1 }, () => 0)];
      const free = labels.flatMap((x, i) => (x === 0 ? [i] : []));
      const first = free[at % free.length]!;
      let last = first;
      while (last - first + 1 < len && labels[last + 1] === 0) last++;
      const serial = (i: number): bigint => l.offset + BigInt(i) + 1n;
      return {
        holding: runsOf(labels.flatMap((x, i) => (x === 1 ? [serial(i)] : []))),
        arrival: { start: serial(first), end: serial(last) },
      };
    });
    fc.assert(
      fc.property(arb, ({ holding, arrival }) => {
        const result = addRanges(holding, [arrival]);
        const before = holding.find((b) => b.end + 1n === arrival.start);
        const after = holding.find((b) => arrival.end + 1n === b.start);
        const merged = { start: before?.start ?? arrival.start, end: after?.end ?? arrival.end };
        const others = holding.filter((b) => b !== before && b !== after);
        const want = [...others, merged].sort((a, b) => (a.start < b.start ? -1 : 1));
        assert.deepEqual(plain(result), plain(want));
      }),
      { numRuns: RUNS },
    );
  });

  it('treats an arrival that overlaps the holding as an invariant violation', () => {
    const arb = nonEmptyHoldingArb.chain((holding) =>
      fc.record({ holding: fc.constant(holding), i: fc.nat({ max: holding.length - 1 }), a: fc.nat(), b: fc.nat(), widen: fc.nat({ max: 3 }) }),
    );
    fc.assert(
      fc.property(arb, ({ holding, i, a, b, widen }) => {
        // A range containing at least one held serial of block i, possibly reaching beyond it.
        const block = holding[i]!;
        const size = rangeSize(block);
        const s = block.start + (BigInt(a) % size);
        const e = block.start + (BigInt(b) % size);
        const lo = (s < e ? s : e) - BigInt(widen);
        const r = { start: lo < 1n ? 1n : lo, end: (s < e ? e : s) + BigInt(widen) };
        assert.throws(() => addRanges(holding, [r]), InvariantError);
      }),
      { numRuns: RUNS },
    );
  });

  it('merges 4–5 between 1–3 and 6–9 into one block 1–9', () => {
    const result = addRanges(
      [
        { start: 1n, end: 3n },
        { start: 6n, end: 9n },
      ],
      [{ start: 4n, end: 5n }],
    );
    assert.deepEqual(plain(result), [[1n, 9n]]);
  });

  it('adds a lone arrival as its own block in serial order', () => {
    const result = addRanges(
      [
        { start: 1n, end: 3n },
        { start: 20n, end: 29n },
      ],
      [{ start: 10n, end: 12n }],
    );
    assert.deepEqual(plain(result), [
      [1n, 3n],
      [10n, 12n],
      [20n, 29n],
    ]);
  });
});

// ---- normalize ------------------------------------------------------------------------------------------

describe('normalize', () => {
  // Any ranges: unsorted, overlapping, adjacent, duplicated.
  const rangesArb = fc.array(
    fc.record({ start: fc.bigInt({ min: 1n, max: 60n }), len: fc.bigInt({ min: 0n, max: 12n }) }).map(({ start, len }) => ({ start, end: start + len })),
    { maxLength: 12, size: 'medium' },
  );

  it('results in the maximal runs of the union of any ranges: sorted, disjoint and never adjacent', () => {
    fc.assert(
      fc.property(rangesArb, (ranges) => {
        const result = normalize(ranges);
        assert.ok(isWellFormed(result));
        const union = [...new Set(serialsOf(ranges))];
        assert.deepEqual(serialsOf(result), union);
        assert.deepEqual(plain(result), plain(runsOf(union)));
      }),
      { numRuns: RUNS },
    );
  });

  it('ignores input order and is idempotent', () => {
    fc.assert(
      fc.property(rangesArb, orderArb, (ranges, order) => {
        const shuffled = ranges
          .map((r, i) => ({ r, key: order[i] ?? 0 }))
          .sort((a, b) => a.key - b.key)
          .map(({ r }) => r);
        const result = normalize(ranges);
        assert.deepEqual(plain(normalize(shuffled)), plain(result));
        assert.deepEqual(plain(normalize(result)), plain(result));
      }),
      { numRuns: RUNS },
    );
  });

  it('merges overlapping and adjacent ranges but keeps separated ones apart', () => {
    assert.deepEqual(
      plain(
        normalize([
          { start: 10n, end: 12n },
          { start: 1n, end: 5n },
          { start: 3n, end: 4n },
          { start: 6n, end: 7n },
        ]),
      ),
      [
        [1n, 7n],
        [10n, 12n],
      ],
    );
    assert.deepEqual(normalize([]), []);
  });
});
