// Loads a user's TypeScript file for `tsjax dump`: bundles it with esbuild
// (no tsc step) together with tsjax itself, so the user's arrays and the
// tracer that `dump` calls come from one copy of the library, then imports
// the bundle from a temporary file.

import { mkdtempSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { UsageError } from "./args.js";

/** The library's own entry point, located relative to this file (src/cli or dist). */
function tsjaxEntry(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const cand of [join(here, "..", "index.ts"), join(here, "..", "src", "index.ts")]) {
    if (existsSync(cand)) return cand;
  }
  throw new UsageError("cannot find tsjax's src/index.ts next to the CLI");
}

export interface LoadedModule {
  /** The user's module exports. */
  readonly user: Record<string, unknown>;
  /** The tsjax public API from the same bundle. */
  readonly tsjax: typeof import("../index.js");
}

export async function loadUserFile(file: string): Promise<LoadedModule> {
  const abs = resolve(file);
  if (!existsSync(abs)) throw new UsageError(`no such file: ${file}`);
  const esbuild = await import("esbuild");
  const entry = `export * as user from ${JSON.stringify(abs)};\nexport * as tsjax from "tsjax";\n`;
  let code: string;
  try {
    const out = await esbuild.build({
      stdin: { contents: entry, resolveDir: dirname(abs), sourcefile: "tsjax-dump-entry.ts", loader: "ts" },
      bundle: true,
      write: false,
      format: "esm",
      platform: "node",
      alias: { tsjax: tsjaxEntry() },
      logLevel: "silent",
    });
    code = out.outputFiles[0]!.text;
  } catch (e) {
    const errors = (e as { errors?: { text: string; location?: { file: string; line: number; column: number } }[] }).errors;
    const first = errors?.[0];
    if (first) {
      const loc = first.location ? `${first.location.file}:${first.location.line}:${first.location.column + 1}: ` : "";
      throw new UsageError(`${loc}${first.text}`);
    }
    throw e;
  }
  const dir = mkdtempSync(join(tmpdir(), "tsjax-"));
  const bundle = join(dir, "bundle.mjs");
  try {
    writeFileSync(bundle, code);
    const mod = (await import(pathToFileURL(bundle).href)) as LoadedModule;
    return mod;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
