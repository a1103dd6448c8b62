// The layers of the seed scenario: Linear (Flax's kernel layout: y = x @ w + b)
// and MLP (tanh between layers, none after the last).

import type { Array } from "../array.js";
import * as np from "../np/index.js";
import { Module } from "./module.js";
import { normals } from "./random.js";

export interface InitOptions {
  /** Seed of the deterministic initialiser (default 0). */
  readonly seed?: number;
}

export class Linear extends Module {
  /** f32[inFeatures, outFeatures], LeCun-normal initialised (std 1/sqrt(inFeatures)). */
  w: Array;
  /** f32[outFeatures]. Small random (std 0.1) rather than Flax's zeros, so tests see the bias. */
  b: Array;
  readonly inFeatures: number;
  readonly outFeatures: number;

  constructor(inFeatures: number, outFeatures: number, { seed = 0 }: InitOptions = {}) {
    super();
    if (!Number.isInteger(inFeatures) || !Number.isInteger(outFeatures) || inFeatures < 1 || outFeatures < 1) {
      throw new RangeError(`nn.Linear: feature sizes must be positive integers, got (${inFeatures}, ${outFeatures})`);
    }
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.w = np.array(normals(seed * 2 + 1, inFeatures * outFeatures, 1 / Math.sqrt(inFeatures))).reshape([inFeatures, outFeatures]);
    this.b = np.array(normals(seed * 2 + 2, outFeatures, 0.1));
  }

  forward(x: Array): Array {
    return np.matmul(x, this.w).add(this.b);
  }
}

export class MLP extends Module {
  layers: Linear[];
  readonly sizes: readonly number[];

  /** `sizes` = [in, hidden…, out]; layer i is seeded with `seed + i`. */
  constructor(sizes: readonly number[], { seed = 0 }: InitOptions = {}) {
    super();
    if (sizes.length < 2) throw new RangeError(`nn.MLP: needs at least [in, out] sizes, got [${sizes.join(", ")}]`);
    this.sizes = [...sizes];
    this.layers = sizes.slice(1).map((out, i) => new Linear(sizes[i]!, out, { seed: seed + i }));
  }

  forward(x: Array): Array {
    let h = x;
    this.layers.forEach((layer, i) => {
      h = layer.forward(h);
      if (i < this.layers.length - 1) h = np.tanh(h);
    });
    return h;
  }
}
