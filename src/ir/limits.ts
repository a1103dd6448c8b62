/**
 * Structural limits of the IR that every traversal (parser, printer,
 * verifier, passes, backends, tracer) agrees on.
 */

/**
 * Deepest allowed nesting of jaxprs (a `while` body inside a `while` body
 * inside ... counts one level per sub-jaxpr; the top-level jaxpr is depth 1).
 *
 * Why a limit at all: several consumers (passes, code generators, the
 * tracer) walk sub-jaxprs recursively, and JavaScript engines give a
 * recursion budget of only a few thousand frames, which differs between
 * engines and call shapes. Rejecting programs deeper than this up front,
 * with an error that names the position, is better than an engine-dependent
 * `RangeError: Maximum call stack size exceeded` somewhere deep inside a
 * pass. 1,000 is far beyond anything real programs produce (tracing nests a
 * jaxpr per control-flow construct) while leaving each recursive consumer
 * a comfortable stack margin.
 */
export const MAX_JAXPR_NESTING = 1000;
