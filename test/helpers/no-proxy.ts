/**
 * Tests talk only to servers on 127.0.0.1: a proxy from the machine's environment must not carry their requests.
 * Call once in a describe block (or at file level): the variables are cleared for it and restored afterwards.
 */
export function withoutProxy(): void {
  const saved = { http: process.env['http_proxy'], https: process.env['https_proxy'] };
  beforeAll(() => {
    delete process.env['http_proxy'];
    delete process.env['https_proxy'];
  });
  afterAll(() => {
    if (saved.http !== undefined) process.env['http_proxy'] = saved.http;
    if (saved.https !== undefined) process.env['https_proxy'] = saved.https;
  });
}
