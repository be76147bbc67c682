/**
 * One Lambda execution environment of the AWS tier: a Node process that loads a bundled asset from cdk.out (init),
 * then runs one invocation at a time sent over IPC, with a Lambda-shaped context. The host enforces the timeout by
 * killing this process, as Lambda does. Usage: node aws-lambda-runner.js <task root> <handler, e.g. index.handler>
 */
/* global setImmediate */
'use strict';
const path = require('node:path');

const [taskRoot, handlerString] = process.argv.slice(2);
const dot = handlerString.lastIndexOf('.');
const moduleName = handlerString.slice(0, dot);
const exportName = handlerString.slice(dot + 1);

function describe(error) {
  if (error instanceof Error) {
    return {
      errorType: error.name || 'Error',
      errorMessage: error.message,
      trace: String(error.stack || '').split('\n'),
    };
  }
  return { errorType: 'Error', errorMessage: String(error), trace: [] };
}

let current;
function finish(message) {
  if (!current || current.id !== message.id) return;
  current = undefined;
  process.send(message);
}

// Lambda's Node runtime fails the invocation and restarts the environment on an uncaught error or rejection.
for (const event of ['uncaughtException', 'unhandledRejection']) {
  process.on(event, (error) => {
    const failure = describe(error);
    if (event === 'unhandledRejection') failure.errorType = 'Runtime.UnhandledPromiseRejection';
    if (current) finish({ type: 'result', id: current.id, ok: false, error: failure, exit: true });
    else process.send({ type: 'init-error', error: failure });
    setImmediate(() => process.exit(129));
  });
}

let handler;
try {
  const loaded = require(path.join(taskRoot, moduleName));
  handler = loaded[exportName];
  if (typeof handler !== 'function') throw new Error(`${handlerString} is not a function`);
  process.send({ type: 'ready' });
} catch (error) {
  const failure = describe(error);
  failure.errorType = `Runtime.ImportModuleError`;
  process.send({ type: 'init-error', error: failure });
  setImmediate(() => process.exit(1));
}

process.on('message', (message) => {
  if (message.type !== 'invoke') return;
  current = { id: message.id };
  process.env._X_AMZN_TRACE_ID = message.traceId;
  const deadline = message.deadline;
  const context = {
    ...message.context,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    succeed: () => undefined,
    fail: () => undefined,
  };
  const id = message.id;
  const ok = (payload) => finish({ type: 'result', id, ok: true, payload: JSON.stringify(payload ?? null) });
  const fail = (error) => finish({ type: 'result', id, ok: false, error: describe(error) });
  try {
    const returned = handler(message.event, context, (error, payload) => (error ? fail(error) : ok(payload)));
    if (returned && typeof returned.then === 'function') returned.then(ok, fail);
  } catch (error) {
    fail(error);
  }
});
