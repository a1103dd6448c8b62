// Every test runs the pass manager in checked mode: each pass's input is
// verified and deep-frozen, so a pass that breaks or mutates the IR fails the
// test that exercised it (jit's pipeline included).
import { setCheckedPasses } from "../src/passes/pipeline.js";

setCheckedPasses(true);
