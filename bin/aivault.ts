#!/usr/bin/env node
import { runAivault } from '../src/cli/run-aivault.js';
process.exitCode = await runAivault(process.argv.slice(2), { env: process.env, get stdin() { return process.stdin; }, stdout: process.stdout, stderr: process.stderr });
