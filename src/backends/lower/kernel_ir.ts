// The kernel IR: what the shared lowering produces and what the emitters (JS
// and WebAssembly) consume. It is plain data with no closures, so an emitter
// is a pure function of it, and `formatProgram` (print.ts) shows it as text.
//
// Grammar (informal; `*` = list, `?` = optional):
//
//   Program  ::= buffers: BufferDecl*  laneSets: LaneSetDecl*  nsyms
//                inputs: BufId*  outputs: BufId*  body: Stmt*  plan: BufferPlan
//                kernelPlans: KernelPlan* (by kernel id)
//   BufferDecl ::= id dtype size role(input | output | temp)
//   Stmt     ::= Kernel
//              | setsym   sym := clamp(load View | const, lo, hi)        (dynamic indices)
//              | lanes_init    set (from set)?          set.mask := maskForLanes(from, set.shape), or all
//              | lanes_index   set index:View k last (from set)?   lanes with clamp(index) == k
//              | lanes_combine set active outer         set := andMasks(active, outer) (outer longer)
//              | while   (lanes set)? cond:Stmt* pred:View body:Stmt*
//                        scalar pred: loop while pred[0]; with lanes: after cond, drop
//                        active lanes whose pred is false, exit when none is left
//              | switch  index:View branches:(Stmt*)*   (index clamped into range)
//              | if_lanes set body:Stmt*                (runs body when the set has an active lane)
//              | for     sym count reverse body:Stmt*
//              | tape_new  handle:View dtype slotSize            handle[0] := a new empty tape
//              | tape_push handle:View src:View dtype slotSize   append a copy of src (slotSize elements)
//              | tape_load handle:View index:View dst:View dtype slotSize
//                        dst := slot clamp(index[0], 0, len-1), zeros when the tape is empty
//              | tape_reverse dst:View src:View dtype slotSize   dst[0] := a new tape of src's slots, last first
//              | check   pred:View size message          an error carrying message when any of
//                        the size bools at pred is true (the `check` primitive)
//   Kernel   ::= loop   shape lanes? Instr* Store*                  one fused elementwise loop nest
//              | reduce shape nKept lanes? Instr* value reducer out:View
//              | dot    lanes? b m n k lhs:View rhs:View Instr* Store*   (Instr* = epilogue, reads `acc`)
//   Instr    ::= load View | const value | index offset strides | unary prim x
//              | binary prim x y | select which cases* | convert x | acc
//   Store    ::= View := instr
//   View     ::= buf[offset + Σ_k i_k·strides_k]   offset = c + Σ coef·sym
//   KernelPlan ::= loop access | reduce access identity
//              | dot access lhs:(lanes b m k) rhs:(lanes b n k) rowsAreLanes
//   access   ::= groups:(buf|iota offset strides)* ofInstr* ofStore*
//
// Kernel plans are what both emitters would otherwise each derive from a
// kernel (kernel_plan.ts): its access groups (the distinct strided patterns,
// one running position each), a reduction's starting value, a dot's operand
// strides by role and whether its rows are its lanes.
//
// Iteration spaces. A kernel iterates over `shape` in row-major order; every
// View (and `index`) in it has one stride per iteration axis. With `lanes`
// (set, rank p) the first p axes are a lane set's lanes and only its active
// lanes are visited (the active-lane execution of batched loops/conds). A
// reduce kernel's shape is [kept axes…, reduced axes…] (nKept kept) and `out`
// has strides over the kept axes. A dot kernel iterates [lanes…, b, m, n]
// with k innermost: lhs/rhs views have strides over [lanes…, b, m, n, k]
// (lhs has 0 on n, rhs 0 on m), epilogue instrs and stores over [lanes…, b, m, n].
//
// Instructions are SSA: an instr refers to earlier instrs by index. `level`
// says how many leading loops an instr depends on (0 = invariant: computed
// once before the loops), so emitters hoist without re-deriving it.
//
// Values are float32 (as rounded doubles), int32 or bool (0/1); each instr's
// `dtype` is its result type. Semantics are the reference interpreter's.
//
// Tapes (ir/prims/tape.ts). A tape value is an int32 buffer of one element
// holding a *handle* into the run's tape arena, so a tape of tapes is an
// int32 tape of handles. The arena is made when a run of the program starts
// and dropped when it returns: tapes never cross a program boundary. A
// tape's slots are `slotSize` contiguous elements of `dtype` (a slot that is
// itself a tape: one int32 handle). `handle` and `index` are one-element
// views (strides []); `src` and `dst` are the slot's elements, contiguous
// (strides [1] over [slotSize]).

import type { DType, Shape } from "../../ir/dtype.js";
import type { BinaryPrim, ComparePrim, Params, UnaryPrim } from "../../ir/primitives.js";

export type BufId = number;
export type SymId = number;
export type LaneSetId = number;

/** `c + Σ coef·sym`: a static element offset plus run-time integer symbols. */
export interface Offset {
  readonly c: number;
  readonly terms: readonly SymTerm[];
}
export interface SymTerm {
  readonly sym: SymId;
  readonly coef: number;
}

/** Element `i` of the iteration space lives at `buf[offset + Σ i_k·strides_k]`. */
export interface View {
  readonly buf: BufId;
  readonly offset: Offset;
  readonly strides: readonly number[];
}

export type BufferRole = "input" | "output" | "temp";

export interface BufferDecl {
  readonly id: BufId;
  readonly dtype: DType;
  /** Elements. */
  readonly size: number;
  readonly role: BufferRole;
  /** Position among the program's inputs or outputs (role input/output). */
  readonly index?: number;
  /** What the buffer holds, for plans and comments (never user text). */
  readonly label: string;
}

export interface LaneSetDecl {
  readonly id: LaneSetId;
  /** Lane shape (a batched predicate's or index's shape). */
  readonly shape: Shape;
}

/** The first `rank` iteration axes are the lanes of `set`; only active lanes are visited. */
export interface Lanes {
  readonly set: LaneSetId;
  readonly rank: number;
}

interface InstrBase {
  readonly dtype: DType;
  /** Number of leading loops this value depends on (0 = loop invariant). */
  readonly level: number;
}

export type Instr =
  | (InstrBase & { readonly op: "load"; readonly view: View })
  | (InstrBase & { readonly op: "const"; readonly value: number })
  /** `offset + Σ i_k·strides_k` (iota, and iota through views), as `dtype`. */
  | (InstrBase & { readonly op: "index"; readonly offset: number; readonly strides: readonly number[] })
  | (InstrBase & { readonly op: "unary"; readonly prim: UnaryPrim; readonly x: number; readonly rounding?: Params["round"]["rounding_method"] })
  /** `argDtype` is the operands' dtype (comparisons return bool). */
  | (InstrBase & { readonly op: "binary"; readonly prim: BinaryPrim | ComparePrim; readonly x: number; readonly y: number; readonly argDtype: DType })
  /** cases[which]; bool which: false → 0; int32 which is clamped into range. */
  | (InstrBase & { readonly op: "select"; readonly which: number; readonly whichDtype: DType; readonly cases: readonly number[] })
  | (InstrBase & { readonly op: "convert"; readonly x: number; readonly from: DType })
  /** Dot kernels only: the finished dot product at this output element, rounded to `dtype`. */
  | (InstrBase & { readonly op: "acc" });

export interface Store {
  readonly view: View;
  readonly value: number;
}

interface KernelBase {
  /** Unique per program; debug hooks and plans refer to it. */
  readonly id: number;
  /** Where it came from, e.g. `while1.body` (generated text, never user input). */
  readonly tag: string;
  readonly lanes: Lanes | null;
  readonly instrs: readonly Instr[];
}

export interface LoopKernel extends KernelBase {
  readonly kind: "loop";
  readonly shape: Shape;
  readonly stores: readonly Store[];
}

export type Reducer = "sum" | "max" | "min" | "argmax";

export interface ReduceKernel extends KernelBase {
  readonly kind: "reduce";
  /** [kept…, reduced…] */
  readonly shape: Shape;
  readonly nKept: number;
  /** The instr reduced (over the reduced axes). */
  readonly value: number;
  readonly reducer: Reducer;
  /** Output dtype (argmax: int32; otherwise the value's dtype). */
  readonly outDtype: DType;
  readonly out: View;
}

export interface DotKernel extends KernelBase {
  readonly kind: "dot";
  /** float32 or int32 (operands and accumulator). */
  readonly dtype: DType;
  /** Lane shape when `lanes` is set (the leading iteration axes). */
  readonly laneShape: Shape;
  readonly b: number;
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly lhs: View;
  readonly rhs: View;
  readonly stores: readonly Store[];
}

export type Kernel = LoopKernel | ReduceKernel | DotKernel;

export type Stmt =
  | Kernel
  | { readonly kind: "setsym"; readonly sym: SymId; readonly src: View | null; readonly value: number; readonly lo: number; readonly hi: number }
  | { readonly kind: "lanes_init"; readonly set: LaneSetId; readonly from: LaneSetId | null }
  | { readonly kind: "lanes_index"; readonly set: LaneSetId; readonly index: View; readonly branch: number; readonly last: number; readonly from: LaneSetId | null }
  | { readonly kind: "lanes_combine"; readonly set: LaneSetId; readonly active: LaneSetId; readonly outer: LaneSetId }
  /** `lanewise`: for a batched while whose lanes can run one by one (lower/lanewise.ts), one iteration's values; set by finalize. */
  | { readonly kind: "while"; readonly lanes: LaneSetId | null; readonly cond: readonly Stmt[]; readonly pred: View; readonly body: readonly Stmt[]; readonly lanewise: LaneIteration | null }
  | { readonly kind: "switch"; readonly index: View; readonly branches: readonly (readonly Stmt[])[] }
  | { readonly kind: "if_lanes"; readonly set: LaneSetId; readonly body: readonly Stmt[] }
  | { readonly kind: "for"; readonly sym: SymId; readonly count: number; readonly reverse: boolean; readonly body: readonly Stmt[] }
  | { readonly kind: "check"; readonly pred: View; readonly size: number; readonly message: string }
  | TapeStmt;

/** The tape statements (see "Tapes" above): `handle` is an int32 element holding a tape handle. */
export type TapeStmt =
  | { readonly kind: "tape_new"; readonly handle: View; readonly dtype: DType; readonly slotSize: number }
  | { readonly kind: "tape_push"; readonly handle: View; readonly src: View; readonly dtype: DType; readonly slotSize: number }
  | { readonly kind: "tape_load"; readonly handle: View; readonly index: View; readonly dst: View; readonly dtype: DType; readonly slotSize: number }
  | { readonly kind: "tape_reverse"; readonly dst: View; readonly src: View; readonly dtype: DType; readonly slotSize: number };

export type StmtKind = Stmt["kind"];

/** Where each temp buffer lives: slots are reused by buffers whose lifetimes do not overlap. */
export interface BufferPlan {
  /** slot index per temp buffer id. */
  readonly slotOf: ReadonlyMap<BufId, number>;
  readonly slots: readonly { readonly dtype: DType; readonly size: number }[];
  /** Bytes of all slots (temps after reuse). */
  readonly tempBytes: number;
  /** Bytes the temps would take without reuse. */
  readonly tempBytesNoReuse: number;
  /** Bytes of the program's outputs (fresh every run). */
  readonly outputBytes: number;
}

/** One strided access pattern: loads, iotas (buf null) and stores with the same buffer, offset and strides share it. */
export interface AccessGroup {
  readonly buf: BufId | null;
  readonly offset: Offset;
  /** Element strides over the kernel's iteration axes ([lanes…, b, m, n] for a dot's epilogue). */
  readonly strides: readonly number[];
}

export interface AccessPlan {
  /** Distinct access patterns in first-use order (instrs, then stores). */
  readonly groups: readonly AccessGroup[];
  /** Per instr: the group of a load or index, else -1. */
  readonly ofInstr: readonly number[];
  /** Per store (a reduce: its out view, strides padded with 0 over the reduced axes). */
  readonly ofStore: readonly number[];
}

/** A dot operand's strides by role: [lanes…], batch, its free axis (m for lhs, n for rhs), k. */
export interface DotOperandStrides {
  readonly lanes: readonly number[];
  readonly b: number;
  readonly mn: number;
  readonly k: number;
}

/**
 * How often a lanewise loop value changes: `const` a literal; `top` the same
 * for every lane and iteration (level 0); `lane` depends on the lane only (a
 * load of a buffer the loop does not write, an iota); `iter` depends on the
 * loop state and is computed every iteration.
 */
export type LaneValueClass = "const" | "top" | "lane" | "iter";

/** Where a lanewise loop value is first computed: by the cond kernels or by the body kernels. */
export type LaneIterationPart = "cond" | "body";

export type LaneValue =
  /** Register `buf` (a buffer the loop writes) at the start of the iteration. */
  | { readonly kind: "entry"; readonly id: number; readonly cls: "iter"; readonly part: "cond"; readonly buf: BufId }
  /**
   * Instr `index` of kernel `kernel` (an index into cond then body kernels;
   * its operands are numbered through `valueOf[kernel]`); kernel -1: the load
   * of a predicate the loop never writes.
   */
  | { readonly kind: "instr"; readonly id: number; readonly cls: LaneValueClass; readonly part: LaneIterationPart; readonly kernel: number; readonly index: number; readonly instr: Instr };

/**
 * One iteration of a lanewise while, value-numbered (lower/lanewise.ts):
 * every instr of its cond kernels then body kernels gets a value number,
 * equal numbers meaning equal values, so each number is computed once per
 * iteration — in particular a body instr whose number the cond computed
 * (`zr·zr` in the Mandelbrot loop) reuses the cond's value.
 */
export interface LaneIteration {
  readonly values: readonly LaneValue[];
  /** valueOf[k][i]: value number of instr i of kernel k (cond kernels first). */
  readonly valueOf: readonly (readonly number[])[];
  /** Per kernel, its stores as (register, value), in order. */
  readonly stores: readonly (readonly { readonly buf: BufId; readonly value: number }[])[];
  /**
   * Registers (buffers written in the loop) in first-store order, with the one
   * view every access to each uses; `entryRead`: the iteration reads the value
   * it starts with (a load before any store, or the predicate when the cond
   * does not store it), so a lane's value is loaded when the lane starts.
   */
  readonly registers: readonly { readonly buf: BufId; readonly view: View; readonly entryRead: boolean }[];
  /** The predicate's value after the cond kernels. */
  readonly pred: number;
  /** Number of cond kernels (the first ones). */
  readonly nCond: number;
  /** Value numbers each part computes or reads (as operands, stores, or the predicate), in first-use order. */
  readonly usedIn: { readonly cond: readonly number[]; readonly body: readonly number[] };
}

/** Emitter-independent decisions about one kernel (kernel_plan.ts), read by both emitters. */
export type KernelPlan =
  | { readonly kind: "loop"; readonly access: AccessPlan }
  /** `identity`: the accumulator's start (the reducer's identity for the value's dtype; unused by argmax). */
  | { readonly kind: "reduce"; readonly access: AccessPlan; readonly identity: number }
  /** `rowsAreLanes`: one lane axis, no batch, rhs shared by all lanes: (lane, m) pairs are blocked together as rows. */
  | { readonly kind: "dot"; readonly access: AccessPlan; readonly lhs: DotOperandStrides; readonly rhs: DotOperandStrides; readonly rowsAreLanes: boolean };

export interface Program {
  readonly buffers: readonly BufferDecl[];
  readonly laneSets: readonly LaneSetDecl[];
  readonly nsyms: number;
  readonly inputs: readonly BufId[];
  readonly outputs: readonly BufId[];
  readonly body: readonly Stmt[];
  readonly plan: BufferPlan;
  /** Per kernel id: the decisions both emitters read (kernel_plan.ts). */
  readonly kernelPlans: readonly KernelPlan[];
}

/** The plan of kernel `id`, a `kind` kernel. */
export function planOf<K extends Kernel["kind"]>(p: Program, id: number, kind: K): Extract<KernelPlan, { kind: K }> {
  const plan = p.kernelPlans[id];
  if (!plan || plan.kind !== kind) throw new Error(`kernel IR: kernel k${id} has no ${kind} plan`);
  // (Checked just above; tsc cannot narrow a union by a generic kind.)
  return plan as Extract<KernelPlan, { kind: K }>;
}

export const BYTES_PER_ELEMENT: { readonly [D in DType]: number } = { float32: 4, int32: 4, bool: 1 };

/** Every statement list nested in a statement (loop bodies, branches). */
export function childBlocks(s: Stmt): (readonly Stmt[])[] {
  switch (s.kind) {
    case "while":
      return [s.cond, s.body];
    case "switch":
      return [...s.branches];
    case "if_lanes":
    case "for":
      return [s.body];
    case "loop":
    case "reduce":
    case "dot":
    case "setsym":
    case "lanes_init":
    case "lanes_index":
    case "lanes_combine":
    case "tape_new":
    case "tape_push":
    case "tape_load":
    case "tape_reverse":
    case "check":
      return [];
  }
}

/** `s` with its nested statement lists replaced by `blocks`, given in the order `childBlocks` lists them. */
export function withChildBlocks(s: Stmt, blocks: readonly (readonly Stmt[])[]): Stmt {
  switch (s.kind) {
    case "while":
      return { ...s, cond: blocks[0]!, body: blocks[1]! };
    case "switch":
      return { ...s, branches: blocks };
    case "if_lanes":
    case "for":
      return { ...s, body: blocks[0]! };
    case "loop":
    case "reduce":
    case "dot":
    case "setsym":
    case "lanes_init":
    case "lanes_index":
    case "lanes_combine":
    case "tape_new":
    case "tape_push":
    case "tape_load":
    case "tape_reverse":
    case "check":
      return s;
  }
}

/**
 * What each statement kind is, one row per kind (a mapped type: a new kind is
 * a compile error here until someone says what it is).
 */
const STMT_KINDS: { readonly [K in StmtKind]: { readonly kernel: boolean; readonly repeats: boolean; readonly tape: boolean } } = {
  loop: { kernel: true, repeats: false, tape: false },
  reduce: { kernel: true, repeats: false, tape: false },
  dot: { kernel: true, repeats: false, tape: false },
  setsym: { kernel: false, repeats: false, tape: false },
  lanes_init: { kernel: false, repeats: false, tape: false },
  lanes_index: { kernel: false, repeats: false, tape: false },
  lanes_combine: { kernel: false, repeats: false, tape: false },
  while: { kernel: false, repeats: true, tape: false },
  switch: { kernel: false, repeats: false, tape: false },
  if_lanes: { kernel: false, repeats: false, tape: false },
  for: { kernel: false, repeats: true, tape: false },
  tape_new: { kernel: false, repeats: false, tape: true },
  tape_push: { kernel: false, repeats: false, tape: true },
  tape_load: { kernel: false, repeats: false, tape: true },
  tape_reverse: { kernel: false, repeats: false, tape: true },
  check: { kernel: false, repeats: false, tape: false },
};

export function isKernel(s: Stmt): s is Kernel {
  return STMT_KINDS[s.kind].kernel;
}

export function isTapeStmt(s: Stmt): s is TapeStmt {
  return STMT_KINDS[s.kind].tape;
}

/** Whether a statement list uses tapes anywhere (nested blocks included): its runs then need a tape arena. */
export function usesTapes(stmts: readonly Stmt[]): boolean {
  const stack: (readonly Stmt[])[] = [stmts];
  while (stack.length) {
    for (const s of stack.pop()!) {
      if (isTapeStmt(s)) return true;
      for (const b of childBlocks(s)) stack.push(b);
    }
  }
  return false;
}

/** The messages of the program's check statements, in the order a walk of the body meets them (the wasm module numbers them so). */
export function checkMessages(stmts: readonly Stmt[]): string[] {
  const out: string[] = [];
  const walk = (ss: readonly Stmt[]): void => {
    for (const s of ss) {
      if (s.kind === "check") out.push(s.message);
      for (const b of childBlocks(s)) walk(b);
    }
  };
  walk(stmts);
  return out;
}

/** Whether the statement repeats its body (what it reads may be read again by the next iteration). */
export function isLoopStmt(s: Stmt): boolean {
  return STMT_KINDS[s.kind].repeats;
}

/** Number of iteration axes, the length of every stride list in the kernel (a dot's: [lanes…, b, m, n]; its operands add k). */
export function iterationRank(k: Kernel): number {
  switch (k.kind) {
    case "loop":
    case "reduce":
      return k.shape.length;
    case "dot":
      return k.laneShape.length + 3;
  }
}

/** Iteration points a kernel visits per active lane (all of them without lanes): what debug hooks count. */
export function pointsPerLane(k: Kernel): number {
  switch (k.kind) {
    case "loop":
    case "reduce":
      return k.shape.slice(k.lanes ? k.lanes.rank : 0).reduce((a, d) => a * d, 1);
    case "dot":
      return k.b * k.m * k.n;
  }
}

/**
 * The compile-time end of an exhaustive `switch`: with every case handled
 * `x` is `never`, so a new kind of statement, kernel or instr is a type error
 * here rather than a silently skipped case.
 */
export function unhandled(x: never, what: string): never {
  throw new Error(`kernel IR: unhandled ${what} ${JSON.stringify(x)}`);
}
