// The real `tsjax` binary, run as a child process (bin/tsjax.mjs via tsx).
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));

function tsjax(args: string[], input?: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["bin/tsjax.mjs", ...args], { cwd: root, input, encoding: "utf8", timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe("tsjax opt", () => {
  it("runs a pipeline over a .jaxpr file and prints the result", () => {
    const r = tsjax(["opt", "test/cli/inputs/loop.jaxpr", "--passes", "simplify,cse,hoist-invariant-carries,dce", "--verify"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`{ lambda ; a:f32[8] b:f32[8]. let
    c:f32[8] = add a a
    _:i32[] d:f32[8] = while[
      body_jaxpr={ lambda ; e:f32[8] f:i32[] g:f32[8]. let
          h:i32[] = add f 1:i32[]
          i:f32[8] = add g e
        in (h, i) }
      body_nconsts=1
      cond_jaxpr={ lambda ; j:i32[] k:f32[8]. let l:bool[] = lt j 3:i32[] in (l,) }
      cond_nconsts=0
    ] b 0:i32[] c
  in (d, b) }
`);
  });

  it("--print-after-all prints a greppable header per pass with statistics", () => {
    const r = tsjax(["opt", "test/cli/inputs/loop.jaxpr", "--passes", "simplify,cse,dce", "--print-after-all"]);
    expect(r.code).toBe(0);
    expect(r.stdout.match(/^\/\/ ----- IR after .* -----$/gm)).toEqual([
      "// ----- IR after simplify (2 x*1 -> x) -----",
      "// ----- IR after cse -----",
      "// ----- IR after dce (1 eqns removed) -----",
    ]);
  });

  it("--print-after-change only prints passes that changed the IR; --print-before names one pass", () => {
    const r = tsjax(["opt", "test/cli/inputs/loop.jaxpr", "--passes", "simplify,cse,dce", "--print-after-change", "--print-before", "dce"]);
    expect(r.code).toBe(0);
    expect(r.stdout.match(/^\/\/ ----- IR .* -----$/gm)).toEqual([
      "// ----- IR after simplify (2 x*1 -> x) -----",
      "// ----- IR before dce -----",
      "// ----- IR after dce (1 eqns removed) -----",
    ]);
  });

  it("--timing reports each pass on stderr", () => {
    const r = tsjax(["opt", "test/cli/inputs/loop.jaxpr", "--passes", "simplify,dce", "--timing"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/pass timing/);
    expect(r.stderr).toMatch(/^ {2}simplify +\d+\.\d+ ms {2}2 x\*1 -> x$/m);
    expect(r.stderr).toMatch(/^ {2}total +\d+\.\d+ ms$/m);
  });

  it("reads stdin with '-' and reports parse errors as file:line:col on one line", () => {
    const r = tsjax(["opt", "-", "--passes", "dce"], "{ lambda ; a:f32[]. let\n    b:f32[] = foo a\n  in (b,) }\n");
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("tsjax: error: <stdin>:2:15: unknown primitive 'foo'\n");
    expect(r.stdout).toBe("");
  });

  it("names the file in parse errors", () => {
    const r = tsjax(["opt", "test/cli/inputs/bad.jaxpr", "--passes", "dce"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("tsjax: error: test/cli/inputs/bad.jaxpr:3:9: expected ',' or ')', found 'c'\n");
  });

  it("user errors exit 1 with one line and no stack trace; --debug shows the stack", () => {
    const unknown = tsjax(["opt", "test/cli/inputs/loop.jaxpr", "--passes", "dcx"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe("tsjax: error: unknown pass 'dcx'; known passes: batch, cse, dce, expand-replay, hoist-invariant-carries, inline, jvp, licm, linearize, simplify, transpose\n");
    const missing = tsjax(["opt", "nope.jaxpr", "--passes", "dce"]);
    expect(missing.stderr).toBe("tsjax: error: opt: cannot read nope.jaxpr\n");
    const badFlag = tsjax(["opt", "x", "--frobnicate"]);
    expect(badFlag.code).toBe(1);
    expect(badFlag.stderr).toBe("tsjax: error: opt: unknown option '--frobnicate' (see 'tsjax opt --help')\n");
    const debug = tsjax(["opt", "test/cli/inputs/loop.jaxpr", "--passes", "dcx", "--debug"]);
    expect(debug.code).toBe(1);
    expect(debug.stderr).toMatch(/PipelineError: unknown pass 'dcx'[^\n]*\n\s+at /);
  });

  it("verifies the input by default: ill-typed IR is an error at its file:line:col, exit 1", () => {
    // Issue #11 item 13: each of these used to be printed back with exit 0.
    const cases: [string, string][] = [
      [
        "{ lambda ; a:f32[3]. let\n    b:f32[3] = sin\n  in (b,) }",
        "<stdin>:2:5: verify: equation 0 `b:f32[3] = sin` in the top-level jaxpr: sin: expects 1 operand, got 0",
      ],
      [
        "{ lambda ; a:f32[3]. let\n    b:f32[3] = sin a a\n  in (b,) }",
        "<stdin>:2:5: verify: equation 0 `b:f32[3] = sin a a` in the top-level jaxpr: sin: expects 1 operand, got 2 (operands: f32[3], f32[3])",
      ],
      [
        "{ lambda ; a:f32[3]. let b:f32[4] = sin a in (b,) }",
        "<stdin>:1:26: verify: equation 0 `b:f32[4] = sin a` in the top-level jaxpr: declares outputs (f32[4]) but sin of (f32[3]) produces (f32[3])",
      ],
      [
        "{ lambda ; a:f32[] b:i32[]. let c:f32[] = add a b in (c,) }",
        "<stdin>:1:33: verify: equation 0 `c:f32[] = add a b` in the top-level jaxpr: add: operand dtypes must be equal (operands: f32[], i32[])",
      ],
    ];
    for (const [input, message] of cases) {
      const r = tsjax(["opt", "-", "--passes", "dce"], input);
      expect(r.stderr).toBe(`tsjax: error: ${message}\n`);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe("");
    }
    // --verify is still accepted and changes nothing.
    const [input, message] = cases[0]!;
    expect(tsjax(["opt", "-", "--passes", "dce", "--verify"], input).stderr).toBe(`tsjax: error: ${message}\n`);
  });

  it("bad pass options are errors naming the pass, the option and the valid values, exit 1", () => {
    // Issue #11 item 12: size=-2 used to print IR with a -2 dimension; in-axes=null,5 failed inside a transpose.
    const input = "{ lambda ; a:f32[] b:f32[3]. let c:f32[3] = mul b a in (c,) }";
    const size = tsjax(["opt", "-", "--passes", "batch{size=-2}"], input);
    expect(size.stderr).toBe("tsjax: error: option batch{size} expects a positive integer (1, 2, …), got '-2'\n");
    expect(size.code).toBe(1);
    expect(size.stdout).toBe("");
    const axes = tsjax(["opt", "-", "--passes", "batch{in-axes=null,5}"], input);
    expect(axes.stderr).toBe(
      "tsjax: error: option batch{in-axes} gives axis 5 for input 1 (f32[3]), out of range: batched, that input has rank 2, so its valid axes are 0..1 (or null to leave it unbatched)\n",
    );
    expect(axes.code).toBe(1);
  });

  it("--no-verify passes ill-typed IR through as written", () => {
    const input = "{ lambda ; a:f32[3]. let b:f32[4] = sin a in (b,) }";
    const r = tsjax(["opt", "-", "--passes", "cse", "--no-verify"], input);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("{ lambda ; a:f32[3]. let\n    b:f32[4] = sin a\n  in (b,) }\n");
  });
});

describe("tsjax help", () => {
  it("prints usage for the command and each subcommand", () => {
    const main = tsjax(["--help"]);
    expect(main.code).toBe(0);
    expect(main.stdout).toMatch(/tsjax dump FILE\.ts/);
    expect(main.stdout).toMatch(/tsjax opt FILE\.jaxpr/);
    const optHelp = tsjax(["opt", "--help"]).stdout;
    expect(optHelp).toMatch(/--print-after-all/);
    expect(optHelp).toMatch(/^ {2}--no-verify +skip the IR verifier/m);
    expect(tsjax(["dump", "--help"]).stdout).toMatch(/export const args/);
    const passes = tsjax(["passes"]).stdout;
    expect(passes).toMatch(/^ {2}hoist-invariant-carries +turn loop carries/m);
    const unknown = tsjax(["frob"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe("tsjax: error: unknown command 'frob' (commands: dump, opt, passes; see 'tsjax --help')\n");
  });
});

describe("tsjax dump", () => {
  it("traces the exported function with the file's example args", () => {
    const r = tsjax(["dump", "test/cli/inputs/two-fns.ts", "--fn", "square"]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("{ lambda ; a:i32[2,2]. let\n    b:i32[2,2] = mul a a\n  in (b,) }\n");
  });

  it("runs a pipeline with --print-after-all on the example from the README", () => {
    const r = tsjax(["dump", "examples/dump-demo.ts", "--passes", "inline,simplify,cse,hoist-invariant-carries,licm,dce", "--print-after-all", "--verify"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout.match(/^\/\/ ----- IR .* -----$/gm)).toEqual([
      "// ----- IR traced refine -----",
      "// ----- IR after inline -----",
      "// ----- IR after simplify (1 x*1 -> x) -----",
      "// ----- IR after cse -----",
      "// ----- IR after hoist-invariant-carries (2 carries hoisted) -----",
      "// ----- IR after licm (1 eqns hoisted) -----",
      "// ----- IR after dce -----",
    ]);
    // licm moved the weight sum out of the loop; the weights are body consts.
    const last = r.stdout.slice(r.stdout.lastIndexOf("// ----- IR after dce"));
    expect(last).toMatch(/^ {4}e:f32\[\] = reduce_sum\[axes=\(0, 1\)\] a$/m);
    expect(last).toMatch(/body_nconsts=3/);
  });

  it("asks for --fn when the file has args for several functions", () => {
    const r = tsjax(["dump", "test/cli/inputs/two-fns.ts"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("tsjax: error: dump: test/cli/inputs/two-fns.ts has args for 2 functions (double, square); choose one with --fn\n");
  });

  it("reports a TypeScript syntax error with its position, and tracing errors in one line", () => {
    const syntax = tsjax(["dump", "test/cli/inputs/syntax-error.ts"]);
    expect(syntax.code).toBe(1);
    expect(syntax.stderr).toMatch(/^tsjax: error: .*syntax-error\.ts:2:\d+: Expected "\)" but found ";"\n$/);
    const shapes = tsjax(["dump", "test/cli/inputs/throws.ts"]);
    expect(shapes.code).toBe(1);
    expect(shapes.stderr).toMatch(/^tsjax: error: add: .*f32\[3\].*f32\[4\]/);
    expect(shapes.stderr.trim().split("\n")).toHaveLength(1);
  });
});

describe("the bundled CLI (npm run build)", () => {
  it("builds dist/cli.js, which runs dump and opt without tsx", () => {
    const build = spawnSync("npm", ["run", "build"], { cwd: root, encoding: "utf8" });
    expect(build.status).toBe(0);
    const opt = spawnSync(process.execPath, ["dist/cli.js", "opt", "test/cli/inputs/loop.jaxpr", "--passes", "simplify"], { cwd: root, encoding: "utf8" });
    expect(opt.stderr).toBe("");
    expect(opt.stdout).toMatch(/c:f32\[8\] = add a a/);
    const dump = spawnSync(process.execPath, ["dist/cli.js", "dump", "test/cli/inputs/two-fns.ts", "--fn", "double"], { cwd: root, encoding: "utf8" });
    expect(dump.stderr).toBe("");
    expect(dump.stdout).toBe("{ lambda ; a:f32[3]. let\n    b:f32[3] = mul a 2.0:f32[]\n  in (b,) }\n");
  });
});
