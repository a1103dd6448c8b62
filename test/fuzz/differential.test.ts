// Differential fuzzing: random well-typed programs (test/fuzz/gen) run on
// every registered backend and through the pass pipelines, compared with the
// reference interpreter (test/fuzz/check), and differentiated in forward and
// reverse mode (check/adCheck.ts). `npm run fuzz` runs thousands.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AdTally, defaultCheckOptions, fuzzProperty, fuzzSettings } from "./fuzzCase.js";

const { runs, seed, limits } = fuzzSettings();
const opts = defaultCheckOptions();

describe("differential fuzzing", () => {
  it(`${runs} random programs (seed ${seed}): backends [${opts.backends.map((b) => b.name).join(", ")}] match the interpreter; passes, vmap, jvp and vjp preserve results`, () => {
    const tally = new AdTally();
    fc.assert(fuzzProperty(opts, limits, tally), { seed, numRuns: runs });
    // Skipped AD checks are counted, never silent: the modes only for programs without a float
    // input and output (or forward mode for a customVjp), the identity only where a side is NaN/inf.
    console.log(`AD checks over ${runs} programs: ${tally}`);
    expect(tally.get("forward checked")).toBeGreaterThan(runs / 4);
    expect(tally.get("reverse checked")).toBeGreaterThan(runs / 5);
    expect(tally.get("identity checked")).toBeGreaterThan(runs / 5);
  }, Math.max(60_000, runs * 200));
});
