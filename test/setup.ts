// Every test runs the pass manager in checked mode: each pass's input is
// verified and deep-frozen, so a pass that breaks or mutates the IR fails the
// test that exercised it (jit's pipeline included). Every lowered kernel
// program is verified too (lower/verify.ts).
import { setCheckedPasses } from "../src/passes/pipeline.js";
import { setCheckedLowering } from "../src/backends/lower/verify.js";

setCheckedPasses(true);
setCheckedLowering(true);
