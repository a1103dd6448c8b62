// Recursion without the native stack. A recursive walk that cannot be made
// a loop (its steps depend on what the nested calls return, as a loop
// body's analysis depends on the loops nested in it) is written as a
// generator: `const r = yield* recurse(child(args))` instead of
// `const r = child(args)`, and started with `runRecursion`. The generators
// wait on a heap-allocated stack, so the depth of the recursion is bounded by
// memory rather than by the engine's few thousand native frames.

/** A recursive computation returning T; it yields the nested computations it waits for. */
export type Recursion<T> = Generator<Recursion<unknown>, T, unknown>;

/** Inside a Recursion: runs `child` to completion and returns its result (`yield* recurse(child)`). */
export function* recurse<T>(child: Recursion<T>): Generator<Recursion<unknown>, T, unknown> {
  return (yield child) as T;
}

/** Runs a Recursion to completion with an explicit stack; exceptions propagate through the waiting callers. */
export function runRecursion<T>(root: Recursion<T>): T {
  const stack: Recursion<unknown>[] = [root];
  let value: unknown = undefined;
  let failure: { error: unknown } | null = null;
  for (;;) {
    const top = stack[stack.length - 1]!;
    let step: IteratorResult<Recursion<unknown>, unknown>;
    try {
      step = failure ? top.throw(failure.error) : top.next(value);
      failure = null;
    } catch (error) {
      stack.pop();
      if (stack.length === 0) throw error;
      failure = { error };
      continue;
    }
    if (step.done) {
      stack.pop();
      if (stack.length === 0) return step.value as T;
      value = step.value;
    } else {
      stack.push(step.value);
      value = undefined;
    }
  }
}
