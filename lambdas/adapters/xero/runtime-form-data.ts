/**
 * Stands in for the `form-data` package inside the Lambda bundles (an esbuild alias in lib/constructs/
 * connector-function.ts). axios, which xero-node calls through, requires `form-data` when it loads, and that
 * package brings mime-types and its whole MIME database (≈ 160 KB of each bundle). Node.js 22 has a standard
 * FormData built in, which axios also accepts; the connector sends no multipart bodies to Xero in any case.
 */
export = globalThis.FormData;
