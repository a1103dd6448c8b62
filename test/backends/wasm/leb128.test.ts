// LEB128 encodings checked against hand-derived bytes (the examples from the
// DWARF spec / Wikipedia, plus the boundaries of each width).
import { describe, expect, it } from "vitest";
import { signedLEB128, signedLEB128_64, unsignedLEB128 } from "../../../src/backends/wasm/leb128.js";

describe("unsignedLEB128", () => {
  it.each([
    [0, [0x00]],
    [1, [0x01]],
    [127, [0x7f]],
    [128, [0x80, 0x01]],
    [255, [0xff, 0x01]],
    [624485, [0xe5, 0x8e, 0x26]],
    [0xffffffff, [0xff, 0xff, 0xff, 0xff, 0x0f]],
  ])("%d", (v, bytes) => expect(unsignedLEB128(v)).toEqual(bytes));

  it("rejects values outside u32", () => {
    expect(() => unsignedLEB128(-1)).toThrow(/not a u32/);
    expect(() => unsignedLEB128(2 ** 32)).toThrow(/not a u32/);
    expect(() => unsignedLEB128(1.5)).toThrow(/not a u32/);
  });
});

describe("signedLEB128 (i32)", () => {
  it.each([
    [0, [0x00]],
    [2, [0x02]],
    [-2, [0x7e]],
    [63, [0x3f]],
    [64, [0xc0, 0x00]],
    [-64, [0x40]],
    [-65, [0xbf, 0x7f]],
    [127, [0xff, 0x00]],
    [-128, [0x80, 0x7f]],
    [-123456, [0xc0, 0xbb, 0x78]],
    [2147483647, [0xff, 0xff, 0xff, 0xff, 0x07]],
    [-2147483648, [0x80, 0x80, 0x80, 0x80, 0x78]],
    // u32 spelling of a negative i32: 0xffffffff is -1
    [0xffffffff, [0x7f]],
  ])("%d", (v, bytes) => expect(signedLEB128(v)).toEqual(bytes));
});

describe("signedLEB128_64 (i64)", () => {
  it.each([
    [0n, [0x00]],
    [-1n, [0x7f]],
    [624485n, [0xe5, 0x8e, 0x26]],
    [-123456n, [0xc0, 0xbb, 0x78]],
    [(1n << 63n) - 1n, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00]],
    [-(1n << 63n), [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f]],
    [1n << 32n, [0x80, 0x80, 0x80, 0x80, 0x10]],
  ])("%s", (v, bytes) => expect(signedLEB128_64(v)).toEqual(bytes));

  it("rejects values outside 64 bits", () => {
    expect(() => signedLEB128_64(1n << 64n)).toThrow(/not an i64/);
  });
});
