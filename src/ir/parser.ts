// Parses the text form of a jaxpr (what `printJaxpr` emits) back into IR.
//
//   parse("{ lambda ; a:f32[3]. let b:f32[3] = sin a in (b,) }")
//
// The grammar is in docs/ir.md. The parser is whitespace-insensitive and checks
// everything that is syntax: tokens, scoping (each jaxpr, nested ones included,
// is its own closed scope), literal spelling and range, param names and kinds
// (via the param schema). Type checking is the verifier's job: `parse` runs
// it on the result (unless `{ verify: false }`, for tests that build
// deliberately ill-typed IR from text) and positions its error at the
// offending equation. Every syntax error is a ParseError positioned at the
// offending token.
//
// Only a jaxpr nested in a param value recurses (a few native frames per
// level), and that nesting is limited to MAX_JAXPR_NESTING; tuples are read
// with an explicit stack and equations with loops, so neither long programs
// nor deep tuples can overflow the stack.

import { type Atom, type Eqn, type Jaxpr, type Var, lit, makeEqn, newJaxpr, newVar } from "./core.js";
import { type Aval, INT32_MAX, INT32_MIN, avalStr, castScalar, dtypeFromShort, tapeOf } from "./dtype.js";
import { MAX_JAXPR_NESTING } from "./limits.js";
import { checkParamValue, describeKeyProblems, paramKeyProblems, paramKinds } from "./paramSchema.js";
import { type Params, type Prim, isPrim } from "./primitives.js";
import { isJaxpr } from "./traverse.js";
import { VerifyError, verify } from "./verifier.js";

export class ParseError extends SyntaxError {
  constructor(
    /** The explanation without the position prefix. */
    readonly reason: string,
    /** 1-based. */
    readonly line: number,
    /** 1-based, in UTF-16 code units. */
    readonly column: number,
    readonly source?: string,
  ) {
    super(`${source ? `${source}:` : ""}${line}:${column}: ${reason}`);
    this.name = "ParseError";
  }
}

export interface ParseOptions {
  /** A file name (or any label) to prefix error positions with: `x.jaxpr:3:14: ...`. */
  readonly source?: string;
  /**
   * Run the verifier on the parsed jaxpr (default true); its VerifyError then
   * carries the line and column of the offending equation. `false` returns
   * ill-typed IR as written, for tests that exercise the verifier or passes
   * on bad input.
   */
  readonly verify?: boolean;
}

/**
 * Words that can never name a variable. `inf`/`nan` would be ambiguous with
 * literals (`inf:f32[]` as an operand vs. a binder of the next equation) and
 * `in`/`let`/`lambda` delimit a jaxpr; the printer skips them when naming.
 */
export const RESERVED_NAMES: ReadonlySet<string> = new Set(["in", "let", "lambda", "inf", "nan", "True", "False", "None"]);

type TokenKind = "ident" | "number" | "string" | "punct" | "char" | "eof";

interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

/**
 * Identifiers in code (variable names, primitive names, dtypes) vs. in param
 * values, where plain strings like `<lambda>` or `my-fn.v2` print unquoted
 * (the printer's PLAIN_IDENT).
 */
type LexMode = "code" | "value";

const PUNCT = new Set(["{", "}", "(", ")", "[", "]", ";", ".", ":", ",", "="]);
const CODE_IDENT = /[A-Za-z_][A-Za-z0-9_]*/y;
const VALUE_IDENT = /[A-Za-z_<][A-Za-z0-9_<>.-]*/y;
const NUMBER = /-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?/y;
const SIGNED_SPECIAL = /-(?:inf|nan)(?![A-Za-z0-9_])/y;
const STRING = /"(?:[^"\\\n]|\\.)*"/y;
const WHITESPACE = /[ \t\r\n]*/y;

function sticky(re: RegExp, text: string, at: number): string | undefined {
  re.lastIndex = at;
  const m = re.exec(text);
  return m && m[0].length > 0 ? m[0] : undefined;
}

function describeToken(t: Token): string {
  if (t.kind === "eof") return "end of input";
  const s = t.text.length > 24 ? `${t.text.slice(0, 21)}...` : t.text;
  return `'${s}'`;
}

class Parser {
  private pos = 0;
  private readonly lineStarts: number[] = [0];
  /** Enclosing scopes, innermost last: their count is the current jaxpr nesting depth. */
  private readonly scopes: Map<string, Var>[] = [];
  /** Where each equation starts (its first binder, or `=`), to position verifier errors. */
  readonly eqnStarts = new Map<Eqn, number>();
  /** Where each jaxpr starts (its `{`). */
  readonly jaxprStarts = new Map<Jaxpr, number>();
  /** The last token scanned: `peek` is asked for the same token several times. */
  private cached: { at: number; mode: LexMode; token: Token } | undefined;

  constructor(
    private readonly text: string,
    private readonly source: string | undefined,
  ) {
    for (let i = 0; i < text.length; i++) if (text[i] === "\n") this.lineStarts.push(i + 1);
  }

  // ---- errors -------------------------------------------------------------

  /** 1-based line and column of a text offset. */
  position(at: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= at) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: at - this.lineStarts[lo]! + 1 };
  }

  fail(at: number, reason: string): never {
    const { line, column } = this.position(at);
    throw new ParseError(reason, line, column, this.source);
  }

  expected(what: string, found: Token): never {
    return this.fail(found.start, `expected ${what}, found ${describeToken(found)}`);
  }

  // ---- tokens ---------------------------------------------------------------

  private scanAt(at: number, mode: LexMode): Token {
    const text = this.text;
    WHITESPACE.lastIndex = at;
    WHITESPACE.exec(text);
    const start = WHITESPACE.lastIndex;
    if (start >= text.length) return { kind: "eof", text: "", start, end: start };
    const c = text[start]!;
    const tok = (kind: TokenKind, s: string): Token => ({ kind, text: s, start, end: start + s.length });
    let m: string | undefined;
    if (c === '"') {
      if ((m = sticky(STRING, text, start))) return tok("string", m);
      return this.fail(start, "unterminated string");
    }
    if ((m = sticky(SIGNED_SPECIAL, text, start)) || (m = sticky(NUMBER, text, start))) return tok("number", m);
    if ((m = sticky(mode === "code" ? CODE_IDENT : VALUE_IDENT, text, start))) return tok("ident", m);
    if (PUNCT.has(c)) return tok("punct", c);
    return tok("char", String.fromCodePoint(text.codePointAt(start)!));
  }

  peek(mode: LexMode = "code"): Token {
    const c = this.cached;
    if (c && c.at === this.pos && c.mode === mode) return c.token;
    const token = this.scanAt(this.pos, mode);
    this.cached = { at: this.pos, mode, token };
    return token;
  }

  peekAfter(t: Token, mode: LexMode = "code"): Token {
    return this.scanAt(t.end, mode);
  }

  take(t: Token): Token {
    this.pos = t.end;
    return t;
  }

  private is(t: Token, kind: TokenKind, text?: string): boolean {
    return t.kind === kind && (text === undefined || t.text === text);
  }

  expectPunct(p: string, what = `'${p}'`): Token {
    const t = this.peek();
    if (!this.is(t, "punct", p)) this.expected(what, t);
    return this.take(t);
  }

  expectKeyword(word: string): Token {
    const t = this.peek();
    if (!this.is(t, "ident", word)) this.expected(`'${word}'`, t);
    return this.take(t);
  }

  expectEnd(): void {
    const t = this.peek();
    if (t.kind !== "eof") this.expected("end of input", t);
  }

  // ---- jaxprs -------------------------------------------------------------

  /** `{ lambda consts ; ins . let eqns in ( outs ) }` — a new, closed scope. */
  parseJaxpr(): Jaxpr {
    const open = this.expectPunct("{");
    if (this.scopes.length >= MAX_JAXPR_NESTING) {
      this.fail(
        open.start,
        `jaxprs nest more than ${MAX_JAXPR_NESTING} levels deep here (the limit, MAX_JAXPR_NESTING); restructure the program to nest fewer loops, conds and calls`,
      );
    }
    const scope = new Map<string, Var>();
    this.scopes.push(scope);
    this.expectKeyword("lambda");
    const constvars: Var[] = [];
    for (let t = this.peek(); !this.is(t, "punct", ";"); t = this.peek()) {
      if (t.kind !== "ident" || RESERVED_NAMES.has(t.text)) this.expected("a binder (name:type) or ';'", t);
      constvars.push(this.defineBinder(scope, this.parseBinder(new Set())));
    }
    this.take(this.peek());
    const invars: Var[] = [];
    for (let t = this.peek(); !this.is(t, "punct", "."); t = this.peek()) {
      if (t.kind !== "ident" || RESERVED_NAMES.has(t.text)) this.expected("a binder (name:type) or '.'", t);
      invars.push(this.defineBinder(scope, this.parseBinder(new Set())));
    }
    this.take(this.peek());
    this.expectKeyword("let");
    const eqns: Eqn[] = [];
    for (let t = this.peek(); !this.is(t, "ident", "in"); t = this.peek()) {
      if (t.kind !== "ident" && !this.is(t, "punct", "=")) this.expected("an equation or 'in'", t);
      eqns.push(this.parseEqn(scope));
    }
    this.take(this.peek());
    const outvars = this.parseOutvars(scope);
    this.expectPunct("}");
    this.scopes.pop();
    const j = newJaxpr({ constvars, invars, eqns, outvars });
    this.jaxprStarts.set(j, open.start);
    return j;
  }

  private parseOutvars(scope: Map<string, Var>): Atom[] {
    this.expectPunct("(");
    const outs: Atom[] = [];
    for (;;) {
      const t = this.peek();
      if (this.is(t, "punct", ")")) break;
      if (t.kind !== "ident" && t.kind !== "number") this.expected("an output (a variable or literal) or ')'", t);
      outs.push(this.parseAtom(scope));
      const sep = this.peek();
      if (this.is(sep, "punct", ",")) this.take(sep);
      else if (!this.is(sep, "punct", ")")) this.expected("',' or ')'", sep);
    }
    this.take(this.peek());
    return outs;
  }

  // ---- binders and avals ----------------------------------------------------

  /** `name:aval` or `_:aval`; `pending` holds names already bound by the same equation. */
  private parseBinder(pending: Set<string>): { name: string; at: number; aval: Aval } {
    const t = this.peek();
    if (t.kind !== "ident") this.expected("a binder (name:type)", t);
    if (RESERVED_NAMES.has(t.text)) this.fail(t.start, `'${t.text}' is a reserved word and cannot name a variable`);
    if (t.text !== "_" && pending.has(t.text)) this.fail(t.start, `'${t.text}' is already defined in this scope`);
    pending.add(t.text);
    this.take(t);
    this.expectPunct(":", `':' and a type after '${t.text}'`);
    return { name: t.text, at: t.start, aval: this.parseAval() };
  }

  /** Binds a parsed binder in `scope` (`_` makes a fresh var nobody can name). */
  private defineBinder(scope: Map<string, Var>, b: { name: string; at: number; aval: Aval }): Var {
    const v = newVar(b.aval);
    if (b.name === "_") return v;
    if (scope.has(b.name)) this.fail(b.at, `'${b.name}' is already defined in this scope`);
    scope.set(b.name, v);
    return v;
  }

  /** `f32[3,4]`, `i32[]`, `bool[8]`, a tape `tape(f32[3,4])` */
  private parseAval(): Aval {
    const t = this.peek();
    if (t.kind === "ident" && t.text === "tape") {
      this.take(t);
      this.expectPunct("(", "'(' after 'tape'");
      const slot = this.parseAval();
      this.expectPunct(")", "')' closing tape(");
      return tapeOf(slot);
    }
    const dtype = t.kind === "ident" ? dtypeFromShort(t.text) : undefined;
    if (!dtype) this.expected("a type (f32, i32, bool or tape(…))", t);
    this.take(t);
    this.expectPunct("[", `'[' after '${t.text}'`);
    const shape: number[] = [];
    for (let d = this.peek(); !this.is(d, "punct", "]"); d = this.peek()) {
      if (shape.length > 0) {
        if (!this.is(d, "punct", ",")) this.expected("',' or ']'", d);
        this.take(d);
        d = this.peek();
      }
      if (d.kind !== "number" || !/^[0-9]+$/.test(d.text) || !Number.isSafeInteger(Number(d.text))) {
        this.expected("a dimension size (a non-negative integer)", d);
      }
      shape.push(Number(this.take(d).text));
    }
    this.take(this.peek());
    return { dtype, shape };
  }

  // ---- equations ------------------------------------------------------------

  /** `binders = prim[params] atoms` */
  private parseEqn(scope: Map<string, Var>): Eqn {
    const start = this.peek().start;
    const binders: { name: string; at: number; aval: Aval }[] = [];
    const pending = new Set<string>();
    for (let t = this.peek(); !this.is(t, "punct", "="); t = this.peek()) {
      // A reserved word followed by ':' is a misnamed binder (reported by parseBinder); otherwise the '=' is missing.
      const misplacedWord = RESERVED_NAMES.has(t.text) && !this.is(this.peekAfter(t), "punct", ":");
      if (t.kind !== "ident" || misplacedWord) this.expected("a binder (name:type) or '='", t);
      if (t.text !== "_" && scope.has(t.text)) this.fail(t.start, `'${t.text}' is already defined in this scope`);
      binders.push(this.parseBinder(pending));
    }
    this.take(this.peek());
    const primTok = this.peek();
    if (primTok.kind !== "ident" || RESERVED_NAMES.has(primTok.text)) this.expected("a primitive name", primTok);
    if (!isPrim(primTok.text)) this.fail(primTok.start, `unknown primitive '${primTok.text}'`);
    this.take(primTok);
    const prim: Prim = primTok.text;
    const params = this.parseParams(prim, primTok);
    const inputs = this.parseOperands(scope);
    // Binders come into scope after the operands are read: `c = add c c` is a use before definition.
    const outputs = binders.map((b) => this.defineBinder(scope, b));
    const eqn = makeEqn(prim, params as Params[typeof prim], inputs, outputs);
    this.eqnStarts.set(eqn, start);
    return eqn;
  }

  /** Operands run until the next equation's binders, a zero-output `=`, or `in`. */
  private parseOperands(scope: Map<string, Var>): Atom[] {
    const inputs: Atom[] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind === "number") {
        inputs.push(this.parseLiteral());
        continue;
      }
      if (t.kind !== "ident" || t.text === "in") return inputs;
      const isLiteralWord = t.text === "True" || t.text === "False" || t.text === "inf" || t.text === "nan";
      // A name followed by ':' is a binder, so it starts the next equation.
      if (!isLiteralWord && this.is(this.peekAfter(t), "punct", ":")) return inputs;
      inputs.push(this.parseAtom(scope));
    }
  }

  private parseAtom(scope: Map<string, Var>): Atom {
    const t = this.peek();
    if (t.kind === "number" || t.text === "True" || t.text === "False" || t.text === "inf" || t.text === "nan") {
      return this.parseLiteral();
    }
    if (t.kind !== "ident") this.expected("a variable or literal", t);
    if (t.text === "_") this.fail(t.start, "'_' marks an unused binder and cannot be read");
    if (RESERVED_NAMES.has(t.text)) this.expected("a variable or literal", t);
    const v = scope.get(t.text);
    if (!v) {
      const outer = this.scopes.slice(0, -1).some((s) => s.has(t.text));
      this.fail(
        t.start,
        `undefined variable '${t.text}'${outer ? " (it belongs to an enclosing jaxpr; sub-jaxprs only see their own inputs)" : ""}`,
      );
    }
    this.take(t);
    return v;
  }

  /** `3.0:f32[]`, `-1:i32[]`, `True:bool[]`, `-inf:f32[]`: always rank 0. */
  private parseLiteral(): Atom {
    const t = this.take(this.peek());
    this.expectPunct(":", `':' and a type after the literal ${t.text}`);
    const typeTok = this.peek();
    const aval = this.parseAval();
    const shown = `${t.text}:${avalStr(aval)}`;
    if (aval.shape.length !== 0) this.fail(typeTok.start, `literal ${shown} must have a rank-0 type like ${avalStr({ ...aval, shape: [] })}`);
    const isBoolWord = t.text === "True" || t.text === "False";
    if (aval.dtype === "bool") {
      if (!isBoolWord) this.fail(t.start, `a bool literal is True or False, got ${shown}`);
      return lit(t.text === "True", aval);
    }
    if (isBoolWord) this.fail(typeTok.start, `${t.text} is a bool literal, its type must be bool[], got ${shown}`);
    const value = parseNumber(t.text);
    if (aval.dtype === "int32") {
      if (!Number.isInteger(value)) this.fail(t.start, `int literal ${shown} is not an integer`);
      if (value < INT32_MIN || value > INT32_MAX) this.fail(t.start, `int literal ${shown} is out of int32 range`);
    }
    return lit(castScalar(aval.dtype, value), aval);
  }

  // ---- params ---------------------------------------------------------------

  /** `[name=value ...]`, checked against the param schema of `prim`. */
  private parseParams(prim: Prim, primTok: Token): Record<string, unknown> {
    const params: Record<string, unknown> = {};
    const kinds = paramKinds(prim);
    const open = this.peek();
    if (this.is(open, "punct", "[")) {
      this.take(open);
      for (let t = this.peek(); !this.is(t, "punct", "]"); t = this.peek()) {
        if (this.is(t, "punct", ",")) {
          this.take(t);
          continue;
        }
        if (t.kind !== "ident") this.expected("a parameter (name=value) or ']'", t);
        if (Object.prototype.hasOwnProperty.call(params, t.text)) this.fail(t.start, `duplicate parameter '${t.text}'`);
        const unknown = describeKeyProblems(prim, { missing: [], unknown: [t.text] });
        if (!Object.prototype.hasOwnProperty.call(kinds, t.text)) this.fail(t.start, unknown!);
        this.take(t);
        this.expectPunct("=", `'=' after parameter '${t.text}'`);
        const valueTok = this.peek("value");
        const value = this.parseValue();
        const problem = checkParamValue(t.text, kinds[t.text]!, value);
        if (problem) this.fail(valueTok.start, `${prim}: ${problem}`);
        params[t.text] = value;
      }
      this.take(this.peek());
    }
    const missing = describeKeyProblems(prim, { missing: paramKeyProblems(prim, Object.keys(params)).missing, unknown: [] });
    if (missing) this.fail(primTok.start, missing);
    return params;
  }

  /**
   * A generic param value, converted to plain data: ints and floats to numbers,
   * True/False to booleans, None to null, identifiers and quoted strings to
   * strings (so dtype names become `DType`s), tuples and lists to arrays.
   * Tuples (`(1, 2)`, `(1,)`, `()`, `[1, 2]`; jaxprs in a tuple may be
   * separated by newlines only, as printed) are read with an explicit stack of
   * open tuples, so their nesting costs no native stack.
   */
  private parseValue(): unknown {
    const open: { items: unknown[]; close: ")" | "]" }[] = [];
    for (;;) {
      const t = this.peek("value");
      const innermost = open[open.length - 1];
      let value: unknown;
      if (this.is(t, "punct", "(") || this.is(t, "punct", "[")) {
        this.take(t);
        open.push({ items: [], close: t.text === "(" ? ")" : "]" });
        continue;
      }
      if (innermost && this.is(t, "punct", innermost.close)) {
        // `()`, or a trailing comma: `(1,)`.
        this.take(t);
        open.pop();
        value = innermost.items;
      } else {
        value = this.parseAtomicValue(t);
      }
      // Add the finished value to its tuple, closing every tuple whose ')' follows.
      for (;;) {
        const tuple = open[open.length - 1];
        if (!tuple) return value;
        tuple.items.push(value);
        const sep = this.peek("value");
        if (this.is(sep, "punct", ",")) {
          this.take(sep);
          break;
        }
        if (this.is(sep, "punct", "{") && isJaxpr(value)) break;
        if (!this.is(sep, "punct", tuple.close)) this.expected(`',' or '${tuple.close}'`, sep);
        this.take(sep);
        open.pop();
        value = tuple.items;
      }
    }
  }

  /** A param value that is not a tuple: a jaxpr, number, word or string. */
  private parseAtomicValue(t: Token): unknown {
    if (this.is(t, "punct", "{")) return this.parseJaxpr();
    this.take(t);
    switch (t.kind) {
      case "number":
        return parseNumber(t.text);
      case "string":
        return JSON.parse(t.text) as string;
      case "ident":
        if (t.text === "True") return true;
        if (t.text === "False") return false;
        if (t.text === "None") return null;
        return t.text;
      default:
        return this.expected("a parameter value", t);
    }
  }
}

function parseNumber(text: string): number {
  switch (text) {
    case "inf":
      return Infinity;
    case "-inf":
      return -Infinity;
    case "nan":
    case "-nan":
      return NaN;
    default:
      return Number(text);
  }
}

/**
 * Parses one jaxpr (printer output or hand-written text) and verifies it.
 * Throws ParseError for malformed text and VerifyError, positioned at the
 * offending equation, for ill-typed IR.
 */
export function parse(text: string, options: ParseOptions = {}): Jaxpr {
  const p = new Parser(text, options.source);
  const j = p.parseJaxpr();
  p.expectEnd();
  if (options.verify ?? true) {
    try {
      verify(j);
    } catch (e) {
      if (!(e instanceof VerifyError) || !e.site) throw e;
      // An equation's error is positioned at the equation; a jaxpr's own (binders, outputs) at its '{'.
      const { eqn, jaxpr } = e.site;
      const at = (eqn ? p.eqnStarts.get(eqn) : undefined) ?? p.jaxprStarts.get(jaxpr);
      if (at === undefined) throw e;
      throw e.at({ ...p.position(at), source: options.source });
    }
  }
  return j;
}
