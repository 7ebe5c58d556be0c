#!/usr/bin/env node
/**
 * The `slipway` executable: hands argv, the environment and the process streams to
 * `main` and sets the exit code it returns. Setting `process.exitCode` rather than
 * calling `process.exit` lets stdout drain when piped and keeps `slipway server`
 * running after `main` returns.
 */
import { homedir } from 'node:os';
import { main } from './main.ts';

process.exitCode = await main(process.argv, process.env, {
  stdout: process.stdout,
  stderr: process.stderr,
  cwd: process.cwd(),
  homedir: homedir(),
});
