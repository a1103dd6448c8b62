// LEB128 variable-length integers (spec 5.2.2): 7 bits per byte, little
// endian, high bit set on every byte but the last. Signed forms stop when the
// remaining value is all sign bits and bit 6 of the last byte matches the sign.

/** Unsigned LEB128 of a u32. */
export function unsignedLEB128(value: number): number[] {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new RangeError(`unsignedLEB128: ${value} is not a u32`);
  }
  const out: number[] = [];
  let v = value;
  do {
    let byte = v % 128;
    v = Math.floor(v / 128);
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

/** Signed LEB128 of an i32 (values in [-2^31, 2^31); u32 values ≥ 2^31 are taken modulo 2^32). */
export function signedLEB128(value: number): number[] {
  if (!Number.isInteger(value) || value < -0x80000000 || value > 0xffffffff) {
    throw new RangeError(`signedLEB128: ${value} is not an i32`);
  }
  const out: number[] = [];
  let v = value | 0; // reinterpret u32 as i32; arithmetic shift keeps the sign
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

const I64_MIN = -(1n << 63n);
const U64_MAX = (1n << 64n) - 1n;

/** Signed LEB128 of an i64 (u64 values ≥ 2^63 are taken modulo 2^64). */
export function signedLEB128_64(value: bigint): number[] {
  if (value < I64_MIN || value > U64_MAX) throw new RangeError(`signedLEB128_64: ${value} is not an i64`);
  let v = BigInt.asIntN(64, value);
  const out: number[] = [];
  for (;;) {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    const done = (v === 0n && (byte & 0x40) === 0) || (v === -1n && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}
