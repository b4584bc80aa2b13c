#!/usr/bin/env node
import { runAivaultd } from '../src/cli/run-aivaultd.js';
process.exitCode = await runAivaultd(process.argv.slice(2), { env: process.env, get stdin() { return process.stdin; }, stdout: process.stdout, stderr: process.stderr });
