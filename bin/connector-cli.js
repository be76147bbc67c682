#!/usr/bin/env node
'use strict';
// Launcher for `npx connector`: registers tsx's CommonJS hook so the TypeScript CLI runs without a build step.
require('tsx/cjs');
const { runCli } = require('../src/cli/main.ts');

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
);
