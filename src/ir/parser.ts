// PLACEHOLDER: replaced by the parser implementation.
import type { Jaxpr } from "./core.js";

export class ParseError extends SyntaxError {
  constructor(message: string, readonly line: number, readonly column: number) {
    super(message);
    this.name = "ParseError";
  }
}

export function parse(_text: string): Jaxpr {
  throw new Error("parse: not implemented yet");
}
