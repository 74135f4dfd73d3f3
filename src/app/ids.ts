// UUIDv7 identifiers (RFC 9562): time-ordered, so ids sort in creation order within a process and keys stay
// friendly to B-trees and distributed engines. Random bits come from a pooled buffer: the ledger makes several
// ids per transaction, and one getrandom call per id was a measurable share of a transfer's cost.
import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let poolOffset = POOL_BYTES;
let lastMs = -1;
let counter = 0; // 12-bit rand_a used as a counter within one millisecond (RFC 9562 §6.2, method 1)

function randomBytes10(): Buffer {
  if (poolOffset + 10 > POOL_BYTES) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const bytes = pool.subarray(poolOffset, poolOffset + 10);
  poolOffset += 10;
  return bytes;
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function uuidv7(nowMs: number = Date.now()): string {
  const random = randomBytes10();
  let ms = nowMs;
  if (ms > lastMs) {
    lastMs = ms;
    counter = ((random[0]! << 4) | (random[1]! >> 4)) & 0x7ff; // start low in the range to leave room to count
  } else {
    ms = lastMs;
    counter++;
    if (counter > 0xfff) {
      lastMs++;
      ms = lastMs;
      counter = 0;
    }
  }
  const b = new Uint8Array(16);
  b[0] = Math.floor(ms / 2 ** 40) & 0xff;
  b[1] = Math.floor(ms / 2 ** 32) & 0xff;
  b[2] = (ms >>> 24) & 0xff;
  b[3] = (ms >>> 16) & 0xff;
  b[4] = (ms >>> 8) & 0xff;
  b[5] = ms & 0xff;
  b[6] = 0x70 | (counter >>> 8);
  b[7] = counter & 0xff;
  b[8] = 0x80 | (random[2]! & 0x3f);
  for (let i = 9; i < 16; i++) b[i] = random[i - 6]!;
  let s = '';
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) s += '-';
    s += HEX[b[i]!]!;
  }
  return s;
}
