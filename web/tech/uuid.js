// UUIDv7 (RFC 9562): the server's op ledger is keyed by op_id and appends time-ordered ids to its
// last page, so ids made in time order keep the push path fast (docs/sync-protocol.md).
//
// Layout: 48-bit Unix milliseconds, version 7, 12 bits rand_a, variant 10, 62 bits rand_b.
// rand_a doubles as a counter within one millisecond (RFC 9562 §6.2, method 1), so two ops
// recorded in the same millisecond still sort in the order they were made.

let lastMs = -1;
let counter = 0;

export function uuidv7(now = Date.now()) {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);

  let ms = Math.max(Math.floor(now), 0);
  if (ms <= lastMs) {
    ms = lastMs;
    counter += 1;
    // 12 bits exhausted: borrow the next millisecond rather than repeat or go back in order.
    if (counter > 0xfff) {
      ms += 1;
      counter = bytes[6] & 0x07;
    }
  } else {
    // Seed the counter low so it has room to grow within the millisecond.
    counter = ((bytes[6] & 0x07) << 8) | bytes[7];
  }
  lastMs = ms;

  for (let i = 5; i >= 0; i -= 1) {
    bytes[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  bytes[6] = 0x70 | ((counter >> 8) & 0x0f);
  bytes[7] = counter & 0xff;
  bytes[8] = 0x80 | (bytes[8] & 0x3f);

  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
