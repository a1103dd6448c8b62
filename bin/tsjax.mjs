#!/usr/bin/env node
// `npx tsjax` from a checkout: run the TypeScript sources through tsx's loader.
// (`npm run build` produces dist/cli.js, a plain-JS bundle of the same CLI.)
import { register } from "tsx/esm/api";

register();
await import("../src/cli/bin.ts");
