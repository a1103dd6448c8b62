// Command-line flag parsing for `tsjax` (no dependency: the surface is small).

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export interface FlagSpec {
  /** Takes a value (`--passes dce`) or is a switch (`--verify`). */
  readonly value: boolean;
  /** May be given several times (values collected). */
  readonly repeat?: boolean;
  readonly doc: string;
  readonly metavar?: string;
}

export interface ParsedArgs {
  readonly positional: string[];
  readonly flags: Map<string, string[]>;
}

export function parseArgs(argv: readonly string[], specs: Readonly<Record<string, FlagSpec>>, command: string): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "-" || !a.startsWith("-")) {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf("=");
    const name = (eq < 0 ? a : a.slice(0, eq)).replace(/^--?/, "");
    const spec = specs[name];
    if (!spec) throw new UsageError(`${command}: unknown option '${a}' (see 'tsjax ${command} --help')`);
    let value = "true";
    if (spec.value) {
      if (eq >= 0) value = a.slice(eq + 1);
      else if (i + 1 < argv.length) value = argv[++i]!;
      else throw new UsageError(`${command}: option '--${name}' needs a value`);
    } else if (eq >= 0) {
      throw new UsageError(`${command}: option '--${name}' takes no value`);
    }
    const prev = flags.get(name);
    if (prev && !spec.repeat && spec.value) throw new UsageError(`${command}: option '--${name}' given twice`);
    flags.set(name, [...(prev ?? []), value]);
  }
  return { positional, flags };
}

export function flag(p: ParsedArgs, name: string): string | undefined {
  const v = p.flags.get(name);
  return v ? v[v.length - 1] : undefined;
}

export function has(p: ParsedArgs, name: string): boolean {
  return p.flags.has(name);
}

/** `--print-after a,b --print-after c` → [a, b, c] */
export function list(p: ParsedArgs, name: string): string[] {
  return (p.flags.get(name) ?? []).flatMap((v) => v.split(",")).map((s) => s.trim()).filter(Boolean);
}

export function formatFlags(specs: Readonly<Record<string, FlagSpec>>): string {
  return Object.entries(specs)
    .map(([n, s]) => `  ${`--${n}${s.value ? ` ${s.metavar ?? "X"}` : ""}`.padEnd(26)} ${s.doc}`)
    .join("\n");
}
