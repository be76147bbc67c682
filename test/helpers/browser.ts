/**
 * A minimal browser for consent tests: a cookie jar (name → value, sent to every 127.0.0.1 origin, as browsers key
 * cookies by host, not port) and manual redirect following. Two Browser objects are two people's browsers.
 */
export class Browser {
  readonly cookies = new Map<string, string>();

  async fetch(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) headers.set('cookie', this.cookieHeader());
    const response = await fetch(url, {
      ...init,
      headers,
      redirect: 'manual',
      signal: init.signal ?? AbortSignal.timeout(10_000),
    });
    this.remember(response.headers.getSetCookie());
    return response;
  }

  /** GET `url` and follow redirects; returns the final response and every URL visited after the first. */
  async follow(url: string | URL, init: RequestInit = {}): Promise<{ response: Response; hops: string[] }> {
    return this.followRedirects(await this.fetch(url, init), new URL(url));
  }

  /**
   * Follows up to six redirects from `response`, the answer for `from`: each hop is fetched with `init`, at the
   * address `resolve` gives for it (the hop itself unless a test resolves public names to loopback servers).
   */
  async followRedirects(
    response: Response,
    from: URL,
    init: RequestInit = {},
    resolve: (hop: string) => string = (hop) => hop
  ): Promise<{ response: Response; hops: string[] }> {
    const hops: string[] = [];
    let current = from;
    for (let i = 0; i < 6 && response.status >= 300 && response.status < 400; i++) {
      const location = response.headers.get('location');
      if (!location) break;
      current = new URL(location, current);
      hops.push(current.toString());
      await response.arrayBuffer();
      response = await this.fetch(resolve(current.toString()), init);
    }
    return { response, hops };
  }

  cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  /** Set-Cookie lines as a browser keeps them: Max-Age=0 or an empty value deletes. */
  remember(lines: readonly string[]): void {
    for (const line of lines) {
      const [pair = '', ...attributes] = line.split(';');
      const index = pair.indexOf('=');
      if (index <= 0) continue;
      const name = pair.slice(0, index).trim();
      const value = pair.slice(index + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a));
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
}
