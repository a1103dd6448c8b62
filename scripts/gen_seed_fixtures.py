#!/usr/bin/env python3
"""Reference values for the seed scenario (google/flax#4700 / #4709) and its
variants, computed per lane with numpy (float32 storage, float64 math rounded
to float32 after every op, like the interpreter).

Writes test/fixtures/seed.json:
  params:  MLP [8, 16, 8] weights  {"layers": {"0": {"w", "b"}, "1": {...}}}
  xs:      f32[B, 8] inputs, counts: i32[B] per-lane trip counts, flags: i32[B]
  expected outputs for each scenario (see SCENARIOS below).

Run: python3 scripts/gen_seed_fixtures.py   (or npm run fixtures)
"""
import json
import os

import numpy as np

rng = np.random.default_rng(4700)
SIZES = [8, 16, 8]
B = 5

f32 = np.float32


def layer(i, o):
    w = (rng.standard_normal((i, o)) / np.sqrt(i)).astype(f32)
    b = (0.1 * rng.standard_normal(o)).astype(f32)
    return w, b


params = [layer(SIZES[k], SIZES[k + 1]) for k in range(len(SIZES) - 1)]
xs = rng.uniform(-1, 1, (B, SIZES[0])).astype(f32)
counts = (np.arange(B) * 2 % 5).astype(np.int32)  # 0 2 4 1 3: per-lane trip counts
flags = np.arange(B).astype(np.int32)             # cond predicate flag < 2 is batched


def forward(h):
    for k, (w, b) in enumerate(params):
        h = (h.astype(np.float64) @ w.astype(np.float64)).astype(f32)
        h = (h + b).astype(f32)
        if k < len(params) - 1:
            h = np.tanh(h.astype(np.float64)).astype(f32)
    return h


def apply(h, n):
    for _ in range(int(n)):
        h = forward(h)
    return h


SCENARIOS = {
    # while i < count: (i+1, model(h), model), model in the carry
    "carried": [apply(xs[l], counts[l]) for l in range(B)],
    # same result when the model is closed over instead of carried
    "closed_over": [apply(xs[l], counts[l]) for l in range(B)],
    # outer while i < count, inner while j < 2 applying the model: 2*count applications
    "nested": [apply(xs[l], 2 * counts[l]) for l in range(B)],
    # cond(flag < 2, fori(0, 3, model) , zeros): static fori (a scan) inside a batched cond
    "fori_in_cond": [apply(xs[l], 3) if flags[l] < 2 else np.zeros(SIZES[-1], f32) for l in range(B)],
    # carry [i, h, m, m]: the model carried twice
    "carried_twice": [apply(xs[l], counts[l]) for l in range(B)],
}

out = {
    "sizes": SIZES,
    "batch": B,
    "params": {"layers": {str(k): {"w": w.tolist(), "b": b.tolist()} for k, (w, b) in enumerate(params)}},
    "xs": xs.tolist(),
    "counts": counts.tolist(),
    "flags": flags.tolist(),
    "expected": {k: np.stack(v).astype(f32).tolist() for k, v in SCENARIOS.items()},
}
path = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "seed.json")
with open(path, "w") as fh:
    json.dump(out, fh, indent=1)
    fh.write("\n")
print(f"wrote {os.path.normpath(path)}")
