#!/usr/bin/env node
// The `steward` bin: registers tsx so the TypeScript CLI (and a config directory written in TypeScript) runs as is.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../functions/cli/main.ts');
const io = {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
  env: process.env,
  // Progress lines go here, and only when it is a terminal.
  stderr: process.stderr,
};
process.exitCode = await main(process.argv.slice(2), io);
