import { runAivault } from '../src/cli/run-aivault.js';
void runAivault(process.argv.slice(2), { env: process.env, get stdin() { return process.stdin; }, stdout: process.stdout, stderr: process.stderr }).then((code) => { process.exitCode = code; });
