// The error a function throws, for tests that check its class and message
// together; fails the test when nothing is thrown.
import { expect } from "vitest";

export function errorOf(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  return expect.fail("expected an error");
}
