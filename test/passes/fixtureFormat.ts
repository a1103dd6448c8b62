// The lit-style fixture format of test/passes/<pass>/*.jaxpr:
//
//   // RUN: simplify,dce                  <- pipeline for the file
//   // what the first case checks         <- comments
//   { lambda ; a:f32[8]. let ... }        <- input, exactly as printed
//   // CHECK:
//   { lambda ; a:f32[8]. let ... }        <- expected output, exactly as printed
//   // STATS: 2 x*1 -> x, 1 eqns removed  <- optional: stats of the last pass (`none` = no stats)
//   // -----
//   // RUN: cse                           <- a case may override the pipeline
//   ...
//
// Parsing keeps every line before `// CHECK:` verbatim so that blessing (which
// rewrites only the CHECK and STATS sections) preserves comments.

export const SEPARATOR = "// -----";
const RUN = "// RUN:";
const CHECK = "// CHECK:";
const STATS = "// STATS:";

export interface FixtureCase {
  /** Lines before `// CHECK:`: comments, an optional RUN override and the input. */
  readonly head: readonly string[];
  readonly pipeline: string;
  readonly input: string;
  /** Comment lines of the head (without `// `), for naming the test. */
  readonly comments: readonly string[];
  /** Undefined when the case has no `// CHECK:` yet. */
  readonly expected: string | undefined;
  /** The text after `// STATS:`, undefined when the case does not check stats. */
  readonly stats: string | undefined;
  /** Comment lines after CHECK other than STATS, kept in place when blessing. */
  readonly tail: readonly string[];
}

export function parseFixture(text: string, where: string): FixtureCase[] {
  const chunks = splitChunks(text);
  let filePipeline: string | undefined;
  return chunks.map((lines, k) => {
    const checkAt = lines.findIndex((l) => l.trim() === CHECK);
    const head = checkAt < 0 ? lines : lines.slice(0, checkAt);
    const after = checkAt < 0 ? [] : lines.slice(checkAt + 1);
    const runLine = head.find((l) => l.startsWith(RUN));
    const run = runLine?.slice(RUN.length).trim();
    if (k === 0) filePipeline = run;
    const pipeline = run ?? filePipeline;
    if (pipeline === undefined) throw new Error(`${where}: the file must start with '${RUN} <pipeline>'`);
    const isComment = (l: string): boolean => l.trimStart().startsWith("//");
    const statsLine = after.find((l) => l.startsWith(STATS));
    return {
      head,
      pipeline,
      input: head.filter((l) => !isComment(l)).join("\n").trim(),
      comments: head.filter((l) => isComment(l) && !l.startsWith(RUN)).map((l) => l.replace(/^\s*\/\/\s?/, "")),
      expected: checkAt < 0 ? undefined : after.filter((l) => !isComment(l)).join("\n").trim(),
      stats: statsLine?.slice(STATS.length).trim(),
      tail: after.filter((l) => isComment(l) && !l.startsWith(STATS)),
    };
  });
}

function splitChunks(text: string): string[][] {
  const chunks: string[][] = [[]];
  for (const line of text.split("\n")) {
    if (line.trim() === SEPARATOR) chunks.push([]);
    else chunks[chunks.length - 1]!.push(line);
  }
  return chunks.map(trimBlankLines);
}

function trimBlankLines(lines: string[]): string[] {
  let a = 0, b = lines.length;
  while (a < b && lines[a]!.trim() === "") a++;
  while (b > a && lines[b - 1]!.trim() === "") b--;
  return lines.slice(a, b);
}

export function formatStatsLine(formatted: string): string {
  return formatted === "" ? "none" : formatted;
}

/** The file text with each case's CHECK and STATS replaced by `results[i]` (heads kept verbatim). */
export function renderFixture(cases: readonly FixtureCase[], results: readonly { output: string; stats: string }[]): string {
  const chunks = cases.map((c, i) => {
    const r = results[i]!;
    return [...c.head, CHECK, r.output, `${STATS} ${formatStatsLine(r.stats)}`, ...c.tail].join("\n");
  });
  return `${chunks.join(`\n${SEPARATOR}\n`)}\n`;
}
