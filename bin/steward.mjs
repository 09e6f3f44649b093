#!/usr/bin/env node
// The `steward` bin: registers tsx so the TypeScript CLI (and a config directory written in TypeScript) runs as is.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../functions/cli/main.ts');
const { processIo } = await import('../functions/cli/process-io.ts');
process.exitCode = await main(process.argv.slice(2), processIo());
