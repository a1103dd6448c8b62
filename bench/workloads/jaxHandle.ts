// How workloads receive jax-js: the initialised module, or the reason it
// could not run (which then fills the jax-js column instead of a number).
import type { JaxModule } from "../jaxjs.js";

export type JaxHandle = { readonly jax: JaxModule } | { readonly unavailable: string };

export function jaxOrSkip(h: JaxHandle): JaxModule | { readonly skip: string } {
  return "jax" in h ? h.jax : { skip: h.unavailable };
}
