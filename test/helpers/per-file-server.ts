/** The lifecycle every per-file fake server shares: one start, requests forgotten before each test, one close. */
import { withoutProxy } from './no-proxy';

interface RecordingServer {
  readonly requests: unknown[];
  close(): Promise<void>;
}

/**
 * Starts the server in beforeAll (with the proxy variables cleared: tests talk to 127.0.0.1 only) and closes it in
 * afterAll; returns an accessor that fails clearly when called outside the tests.
 */
export function usePerFileServer<S extends RecordingServer>(start: () => Promise<S>, name: string): () => S {
  withoutProxy();
  let server: S | undefined;
  beforeAll(async () => {
    server = await start();
  });
  afterAll(async () => {
    await server?.close();
  });
  const started = (): S => {
    if (!server) throw new Error(`the ${name} starts in beforeAll`);
    return server;
  };
  beforeEach(() => {
    started().requests.length = 0;
  });
  return started;
}
