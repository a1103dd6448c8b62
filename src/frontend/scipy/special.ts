// `scipy.special`: special functions, as `jax.scipy.special` has them.

import { floatUnary } from "../np/elementwise.js";

/**
 * The error function erf(x) = 2/√π ∫₀ˣ e^(−t²) dt, elementwise. Int and bool
 * inputs are converted to float32 first, as for `np.exp`.
 */
export const erf = floatUnary("erf", "erf");
