// Differential fuzzing: random well-typed programs (test/fuzz/gen) run on
// every registered backend and through the pass pipelines, compared with the
// reference interpreter (test/fuzz/check). `npm run fuzz` runs thousands.
import fc from "fast-check";
import { describe, it } from "vitest";
import { BACKENDS } from "../../src/backends/index.js";
import { defaultCheckOptions, fuzzProperty, fuzzSettings } from "./fuzzCase.js";

const { runs, seed, limits } = fuzzSettings();

describe("differential fuzzing", () => {
  it(`${runs} random programs (seed ${seed}): backends [${Object.keys(BACKENDS).join(", ")}] match the interpreter; passes and vmap preserve results`, () => {
    fc.assert(fuzzProperty(defaultCheckOptions(), limits), { seed, numRuns: runs });
  }, Math.max(60_000, runs * 200));
});
