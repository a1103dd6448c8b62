// A growable byte buffer with the primitive encodings of the binary format.

import { signedLEB128, signedLEB128_64, unsignedLEB128 } from "./leb128.js";

const utf8 = new TextEncoder();

export class ByteWriter {
  private buf = new Uint8Array(256);
  private len = 0;

  get length(): number {
    return this.len;
  }

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  byte(b: number): this {
    this.reserve(1);
    this.buf[this.len++] = b & 0xff;
    return this;
  }

  bytes(bs: ArrayLike<number>): this {
    this.reserve(bs.length);
    for (let i = 0; i < bs.length; i++) this.buf[this.len++] = bs[i]! & 0xff;
    return this;
  }

  u32(v: number): this {
    return this.bytes(unsignedLEB128(v));
  }

  s32(v: number): this {
    return this.bytes(signedLEB128(v));
  }

  s64(v: bigint): this {
    return this.bytes(signedLEB128_64(v));
  }

  f32(v: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    return this.bytes(b);
  }

  f64(v: number): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, v, true);
    return this.bytes(b);
  }

  /** A name: byte length, then UTF-8 bytes. */
  name(s: string): this {
    const b = utf8.encode(s);
    return this.u32(b.length).bytes(b);
  }

  /** A vector: element count, then each element. */
  vec<T>(items: readonly T[], each: (item: T, w: this) => void): this {
    this.u32(items.length);
    for (const item of items) each(item, this);
    return this;
  }

  /** A size-prefixed chunk (sections, function bodies, name subsections). */
  sized(fill: (w: ByteWriter) => void): this {
    const inner = new ByteWriter();
    fill(inner);
    return this.u32(inner.length).bytes(inner.finish());
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}
