export { whileLoop, type WhileOptions } from "./while.js";
export { foriLoop } from "./fori.js";
export { scan, type ScanOptions } from "./scan.js";
export { cond, switchCase } from "./cond.js";
