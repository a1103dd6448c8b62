// Fills the generated blocks of docs/*.md, so IR examples in the docs are
// the tested ones, never hand-copied. A block is
//
//   <!-- gen: fixture test/passes/batch/while.jaxpr 1 -->   case 1: input, pipeline and output
//   <!-- gen: cli dump examples/dump-demo.ts --passes dce -->  the output of a tsjax command
//   <!-- gen: example examples/diagnostics.ts -->            what an example prints
//   <!-- gen: primitives unary binary -->                     docs/ir.md's table rows for these families
//   ...generated text...
//   <!-- /gen -->
//
// `npm run docs` rewrites the blocks (and docs/passes.md); test/docs.test.ts
// fails when a block is stale.
//
// Usage: tsx scripts/gen-docs.ts [--check]

import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseFixture } from "../test/passes/fixtureFormat.js";
import { paramKinds } from "../src/ir/paramSchema.js";
import type { Prim } from "../src/ir/primitives.js";
import { FAMILIES, type FamilyName } from "../src/ir/prims/index.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const BLOCK = /<!-- gen: (.*?) -->\n[\s\S]*?<!-- \/gen -->/g;

function fence(text: string): string {
  return `\`\`\`\n${text.replace(/\n$/, "")}\n\`\`\``;
}

function renderFixture(path: string, caseNo: number): string {
  const cases = parseFixture(readFileSync(join(root, path), "utf8"), path);
  const c = cases[caseNo - 1];
  if (!c || c.expected === undefined) throw new Error(`gen-docs: ${path} has no case ${caseNo} with a CHECK section`);
  return [
    `Input (\`${path}\`, case ${caseNo}):`,
    "",
    fence(c.input),
    "",
    `After \`${c.pipeline}\`${c.stats && c.stats !== "none" ? ` (${c.stats})` : ""}:`,
    "",
    fence(c.expected),
  ].join("\n");
}

function renderCli(args: string[]): string {
  const r = spawnSync(process.execPath, ["bin/tsjax.mjs", ...args], { cwd: root, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`gen-docs: tsjax ${args.join(" ")} failed:\n${r.stderr}`);
  return fence(`$ npx tsjax ${args.join(" ")}\n${r.stdout}`);
}

function renderExample(file: string): string {
  const r = spawnSync(process.execPath, ["--import", "tsx", file], { cwd: root, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`gen-docs: ${file} failed:\n${r.stderr}`);
  return fence(`$ npx tsx ${file}\n${r.stdout}`);
}

/** The rows of docs/ir.md's primitive table for these families: name, params (their kinds) and the rule's `doc`. */
function renderPrimitives(families: readonly string[]): string {
  const rows = ["| primitive | params | operands → result |", "| --- | --- | --- |"];
  for (const family of families) {
    if (!(family in FAMILIES)) throw new Error(`gen-docs: unknown primitive family '${family}' (${Object.keys(FAMILIES).join(", ")})`);
    for (const [prim, rules] of Object.entries(FAMILIES[family as FamilyName])) {
      const params = Object.entries(paramKinds(prim as Prim)).map(([name, kind]) => `\`${name}: ${kind}\``);
      rows.push(`| \`${prim}\` | ${params.length ? params.join(", ") : "—"} | ${rules.doc} |`);
    }
  }
  return rows.join("\n");
}

function renderDirective(directive: string): string {
  const [kind, ...rest] = directive.trim().split(/\s+/);
  switch (kind) {
    case "fixture":
      return renderFixture(rest[0]!, Number(rest[1] ?? 1));
    case "cli":
      return renderCli(rest);
    case "example":
      return renderExample(rest[0]!);
    case "primitives":
      return renderPrimitives(rest);
    default:
      throw new Error(`gen-docs: unknown directive '${directive}'`);
  }
}

/** The doc with every generated block re-rendered. */
export function renderDoc(text: string): string {
  return text.replace(BLOCK, (_m, directive: string) => `<!-- gen: ${directive} -->\n${renderDirective(directive)}\n<!-- /gen -->`);
}

export function docFiles(): string[] {
  return readdirSync(join(root, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => join(root, "docs", f));
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const check = process.argv.includes("--check");
  let stale = 0;
  for (const file of docFiles()) {
    const cur = readFileSync(file, "utf8");
    const next = renderDoc(cur);
    if (next === cur) continue;
    if (check) {
      console.error(`${file} is stale: run \`npm run docs\``);
      stale++;
    } else {
      writeFileSync(file, next);
      console.log(`updated ${file}`);
    }
  }
  if (stale) process.exit(1);
}
