// The import rules of docs/architecture.md, read off the source: which layer
// may import which at run time (type-only imports are erased and do not count),
// and that the primitive table can be built whichever module loads first.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const SRC = join(ROOT, "src");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith(".ts") ? [p] : [];
  });
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s+(type\s+)?(?:([\s\S]*?)\s+from\s+)?["']([^"']+)["']/g;

/** Modules `file` imports at run time (relative imports, resolved to src paths). */
function runtimeImports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const out: string[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const [, typeOnly, clause, spec] = m;
    if (typeOnly || !spec!.startsWith(".")) continue;
    // `import { type A, type B } from` is erased too.
    const braces = /^\{([\s\S]*)\}$/.exec((clause ?? "").trim());
    if (braces && braces[1]!.split(",").map((s) => s.trim()).filter(Boolean).every((s) => s.startsWith("type "))) continue;
    out.push(resolve(dirname(file), spec!.replace(/\.js$/, ".ts")));
  }
  return out;
}

const FILES = sourceFiles(SRC);
const GRAPH = new Map(FILES.map((f) => [f, runtimeImports(f)]));
const rel = (f: string) => relative(SRC, f);

/** A chain of run-time imports from `from` to `to`, or null. */
function pathTo(from: string, to: string): string[] | null {
  const prev = new Map<string, string | null>([[from, null]]);
  const queue = [from];
  while (queue.length) {
    const f = queue.shift()!;
    if (f === to) {
      const chain: string[] = [];
      for (let g: string | null = f; g !== null; g = prev.get(g)!) chain.unshift(rel(g));
      return chain;
    }
    for (const d of GRAPH.get(f) ?? []) if (!prev.has(d)) (prev.set(d, f), queue.push(d));
  }
  return null;
}

const TABLE = join(SRC, "ir/prims/index.ts");
const FAMILY_FILES = FILES.filter((f) => dirname(f) === join(SRC, "ir/prims") && f !== TABLE);

/**
 * Modules a family file may import although they reach the table: the drivers
 * that control-flow rules recurse into, and `emit` (which types a new
 * equation). Family files call them only from inside a rule, never while the
 * table is built.
 */
const CALLED_INSIDE_RULES = new Set(["passes/rules/emit.ts", "passes/batch/control.ts", "passes/batch/tape.ts", "backends/lower/rules_control.ts", "backends/lower/rules_tape.ts", "passes/ad/control.ts"].map((p) => join(SRC, p)));

describe("layers (docs/architecture.md)", () => {
  it("finds the source and its imports", () => {
    expect(FAMILY_FILES.length).toBeGreaterThanOrEqual(9);
    expect(GRAPH.get(join(SRC, "ir/prims/unary.ts"))).toContain(join(SRC, "ir/prims/elementwise.ts"));
  });

  it("the helpers family files call while the table is built do not import the table", () => {
    const problems: string[] = [];
    for (const family of FAMILY_FILES) {
      for (const dep of GRAPH.get(family)!) {
        if (CALLED_INSIDE_RULES.has(dep)) continue;
        const chain = pathTo(dep, TABLE);
        if (chain) problems.push(`${rel(family)} imports ${chain.join(" -> ")}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("src/ir outside prims/ imports only src/ir", () => {
    const core = FILES.filter((f) => rel(f).startsWith("ir/") && !rel(f).startsWith("ir/prims/"));
    const bad = core.flatMap((f) => GRAPH.get(f)!.filter((d) => !rel(d).startsWith("ir/")).map((d) => `${rel(f)} -> ${rel(d)}`));
    expect(bad).toEqual([]);
  });

  it("the lowering imports no emitter, and the emitters import no pass and no frontend", () => {
    const bad: string[] = [];
    for (const f of FILES) {
      const from = rel(f);
      for (const d of GRAPH.get(f)!.map(rel)) {
        if (from.startsWith("backends/lower/") && (d.startsWith("backends/js/") || d.startsWith("backends/wasm/"))) bad.push(`${from} -> ${d}`);
        if ((from.startsWith("backends/js/") || from.startsWith("backends/wasm/")) && (d.startsWith("passes/") || d.startsWith("frontend/"))) bad.push(`${from} -> ${d}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it("only the frontend, the package entry and the CLI import the frontend", () => {
    const bad = FILES.filter((f) => !/^(frontend\/|cli\/|index\.ts$)/.test(rel(f))).flatMap((f) =>
      GRAPH.get(f)!.filter((d) => rel(d).startsWith("frontend/")).map((d) => `${rel(f)} -> ${rel(d)}`),
    );
    expect(bad).toEqual([]);
  });
});
