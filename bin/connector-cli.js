#!/usr/bin/env node
'use strict';
// Launcher for `npx connector`: registers tsx's hooks so the TypeScript CLI runs without a build step. Both are
// needed: the CommonJS hook for `require`, the ESM hooks for the CLI's on-demand `import()`s (the AWS commands),
// which Node resolves through its ESM loader.
require('tsx/cjs');

import('tsx/esm/api')
  .then((tsx) => {
    tsx.register();
    const { runCli } = require('../src/cli/main.ts');
    return runCli(process.argv.slice(2));
  })
  .then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    }
  );
