import { renderStatusPage, statusPageCsp } from '../../../../lambdas/core/status/status-page';
import { lastDayHours } from '../../../../lambdas/core/status/hourly';
import { statusRecordOf } from '../../../../lambdas/core/status/record-links';
import { NO_TENANT_PIN_WARNING } from '../../../../lambdas/core/status/status-connection';
import type { StatusSnapshot } from '../../../../lambdas/core/status/status-snapshot';

const NOW = '2026-12-08T03:10:00.000Z';
const ACCOUNT = '0a3e9b52-6c1d-4f7a-8e20-51d4c9a7b301';
const ORDER = '7b1e2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const HOSTILE = '<img src=x onerror=alert(1)>"\'&';
const PATHS = { page: '/', retry: '/admin/retry', retryAll: '/admin/retry-all' };
const LINKS = { dataverseUrl: 'https://contoso.crm.dynamics.com/', xeroShortCode: '!AbC12' };

function snapshot(overrides: Partial<StatusSnapshot> = {}): StatusSnapshot {
  return {
    runtime: 'local',
    generatedAt: NOW,
    connection: {
      state: 'connected',
      tenantName: 'Acme <Ltd>',
      tenantId: 't-1',
      tenantPinned: true,
      refreshedAt: '2026-12-08T03:07:00.000Z',
      refreshTokenIssuedAt: '2026-12-08T02:58:00.000Z',
      refreshTokenExpiresAt: '2027-02-06T02:58:00.000Z',
    },
    queues: { changes: { depth: 2, dead: 1 }, writes: { depth: 0, dead: 1 } },
    counts: { synced: 7, failed: 2, skipped: 1 },
    hourly: lastDayHours(new Date(NOW), [
      { hourStart: '2026-12-08T03:00:00.000Z', synced: 4, failed: 1 },
      { hourStart: '2026-12-08T01:00:00.000Z', synced: 10, failed: 0 },
    ]),
    recent: [
      {
        ...statusRecordOf({ table: 'salesorder', id: ORDER, name: 'SO-1001', xeroId: 'inv-9' }, LINKS),
        at: '2026-12-08T03:07:00.000Z',
        status: 'synced',
        message: 'invoice INV-0042 created',
        xeroId: 'inv-9',
      },
      {
        ...statusRecordOf({ table: 'account', id: ACCOUNT, name: HOSTILE }, LINKS),
        at: '2026-12-08T01:10:00.000Z',
        status: 'failed',
        message: `Xero refused: ${HOSTILE}`,
      },
    ],
    failures: [
      {
        ...statusRecordOf({ table: 'account', id: ACCOUNT, name: HOSTILE }, LINKS),
        at: '2026-12-08T01:10:00.000Z',
        status: 'failed',
        message: `Xero refused: ${HOSTILE}`,
      },
    ],
    deadLetters: [
      {
        queue: 'changes',
        retryKey: 'msg-"1"',
        record: statusRecordOf({ table: 'account', id: ACCOUNT, name: 'Northwind Roasters' }, LINKS),
        reason: 'Dataverse answered 500',
        at: '2026-12-08T02:10:00.000Z',
      },
      {
        queue: 'writes',
        retryKey: 'msg-2',
        record: statusRecordOf({ table: 'product', id: 'p-1', name: 'Beans' }, LINKS),
      },
    ],
    connectPath: '/oauth/xero/connect',
    warnings: [],
    ...overrides,
  };
}

describe('renderStatusPage', () => {
  it('should escape every value from the snapshot', () => {
    const page = renderStatusPage(snapshot({ warnings: [HOSTILE] }), { paths: PATHS, nonce: 'n0nce' });
    expect(page).not.toContain('<img');
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;');
    expect(page).toContain('Acme &lt;Ltd&gt;');
    expect(page).toContain('value="msg-&quot;1&quot;"');
  });

  it('should show records by name, linking into Dynamics and into Xero through the ShortCode', () => {
    const page = renderStatusPage(snapshot(), { paths: PATHS });
    expect(page).toContain(
      `<a class="dynamics" href="https://contoso.crm.dynamics.com/main.aspx?pagetype=entityrecord&amp;etn=salesorder&amp;id=${ORDER}" target="_blank" rel="noopener noreferrer">SO-1001</a>`
    );
    expect(page).toContain(
      'href="https://go.xero.com/organisationlogin/default.aspx?shortcode=!AbC12&amp;redirecturl=%2FAccountsReceivable%2FView.aspx%3FInvoiceID%3Dinv-9"'
    );
    expect(page).toContain('>Northwind Roasters</a>');
  });

  it('should drop links that are not http(s)', () => {
    const s = snapshot();
    const evil = { ...s.recent[0]!, dynamicsUrl: 'javascript:alert(1)', xeroUrl: 'data:text/html,x' };
    const page = renderStatusPage({ ...s, recent: [evil] }, { paths: PATHS });
    expect(page).not.toContain('javascript:');
    expect(page).not.toContain('data:text');
    expect(page).toContain('SO-1001');
  });

  it('should show times relative to the snapshot inside <time datetime> with the UTC time as a tooltip', () => {
    const page = renderStatusPage(snapshot(), { paths: PATHS });
    expect(page).toContain(
      '<time datetime="2026-12-08T03:07:00.000Z" data-kind="ago" title="8 Dec 2026, 03:07 UTC">3 min ago</time>'
    );
    expect(page).toContain('<time datetime="2026-12-08T01:10:00.000Z" data-kind="ago"');
    expect(page).toContain('>2 h ago</time>');
  });

  it("should give the refresh token's remaining life as a date", () => {
    const page = renderStatusPage(snapshot(), { paths: PATHS });
    expect(page).toMatch(
      /<dd id="refresh-token">renewed <time[^>]*>12 min ago<\/time>, expires <time datetime="2027-02-06T02:58:00.000Z" data-kind="date"[^>]*>6 Feb 2027<\/time> unless used; the schedule renews it<\/dd>/
    );
    expect(page).not.toMatch(/\d\.\d+ hours/);
  });

  it('should draw one stacked bar per hour from the hourly counts, scaled to the busiest hour', () => {
    const page = renderStatusPage(snapshot(), { paths: PATHS });
    const bars = [...page.matchAll(/<g class="bar" data-hour="([^"]+)" data-synced="(\d+)" data-failed="(\d+)">/g)];
    expect(bars).toHaveLength(24);
    expect(bars[23]?.slice(1)).toEqual(['2026-12-08T03:00:00.000Z', '4', '1']);
    expect(bars[21]?.slice(1)).toEqual(['2026-12-08T01:00:00.000Z', '10', '0']);
    expect(bars[0]?.[1]).toBe('2026-12-07T04:00:00.000Z');
    // Busiest hour (10) is 100 px tall; the last hour 4 synced = 40 px, 1 failed = 10 px on top.
    expect(page).toContain('<rect class="synced" x="504" y="0" width="20" height="100"');
    expect(page).toContain('<rect class="synced" x="552" y="60" width="20" height="40"');
    expect(page).toContain('<rect class="failed" x="552" y="50" width="20" height="10"');
    expect(page).toContain('14 synced, 1 failed');
    expect(page).toContain('<b id="synced-24h">14</b>');
  });

  it('should list dead letters with a Retry per letter (its retryKey) and Retry all', () => {
    const page = renderStatusPage(snapshot(), { paths: PATHS });
    expect(page).toContain('<input type="hidden" name="retryKey" value="msg-2">');
    expect(page).toContain('data-retry-key="msg-2"');
    expect(page).toMatch(
      /<form method="post" action="\/admin\/retry-all">.*<button type="submit" id="retry-all">Retry all<\/button>/
    );
    expect(page).toContain('<span class="count" id="dead-letter-count">2</span>');
    expect(renderStatusPage(snapshot({ deadLetters: [] }), { paths: PATHS })).not.toContain('id="retry-all"');
  });

  it('should filter by table and outcome from query values, keeping the filter through refresh and Retry', () => {
    const page = renderStatusPage(snapshot(), { paths: PATHS, filter: { table: 'account', outcome: 'failed' } });
    expect(page).toContain('<option value="account" selected>Account</option>');
    expect(page).toContain('<option value="failed" selected>failed</option>');
    const recent = page.slice(page.indexOf('<table id="recent">'));
    expect(recent).not.toContain('SO-1001');
    expect(recent).toContain('data-table="account"');
    expect(page).not.toContain('data-retry-key="msg-2"'); // the product's dead letter
    expect(page).toContain('data-retry-key="msg-&quot;1&quot;"');
    expect(page).toContain('<input type="hidden" name="back" value="table=account&amp;outcome=failed">');
    expect(page).toContain(
      '<input type="hidden" name="table" value="account"><button type="submit" id="retry-all">Retry all Account dead letters'
    );
  });

  it('should refresh every 30 s until paused, and link to pause and resume', () => {
    const live = renderStatusPage(snapshot(), { paths: PATHS, filter: { table: 'product' } });
    expect(live).toContain('<meta http-equiv="refresh" content="30">');
    expect(live).toContain('<a href="/?table=product&amp;refresh=off">Pause</a>');
    const paused = renderStatusPage(snapshot(), { paths: PATHS, filter: { table: 'product', paused: true } });
    expect(paused).not.toContain('http-equiv="refresh"');
    expect(paused).toContain('<a href="/?table=product">Resume</a>');
    expect(paused).toContain('<input type="hidden" name="refresh" value="off">');
  });

  it('should carry the nonce on its one script and style, and match the CSP it asks for', () => {
    const page = renderStatusPage(snapshot(), { paths: PATHS, nonce: 'abc123' });
    expect(page.match(/<script/g)).toHaveLength(1);
    expect(page).toContain('<script nonce="abc123">');
    expect(page).toContain('<style nonce="abc123">');
    expect(page).not.toMatch(/\sstyle="/);
    expect(page).not.toMatch(/\son[a-z]+="/);
    expect(page).not.toMatch(/(src|href)="(https?:)?\/\/(?!contoso\.crm|go\.xero)/);
    expect(statusPageCsp('abc123')).toBe(
      "default-src 'none'; script-src 'nonce-abc123'; style-src 'nonce-abc123'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    );
    expect(renderStatusPage(snapshot(), { paths: PATHS })).not.toContain('<script');
  });

  it('should show one row per organisation when there are several', () => {
    const organisations = [
      { tenantId: 't-1', tenantName: 'Acme NZ', state: 'connected' as const, xeroUrl: 'https://go.xero.com/x' },
      { tenantId: 't-2', tenantName: 'Acme AU', state: 'reconnect_required' as const, reason: 'consent revoked' },
    ];
    const s = snapshot();
    const page = renderStatusPage({ ...s, connection: { ...s.connection, organisations } }, { paths: PATHS });
    expect(page).toContain('<tr class="state-connected" data-tenant="t-1">');
    expect(page).toContain('<tr class="state-reconnect_required" data-tenant="t-2"><td>Acme AU</td>');
    expect(page).toContain('consent revoked');
    const single = renderStatusPage(
      { ...s, connection: { ...s.connection, organisations: organisations.slice(0, 1) } },
      { paths: PATHS }
    );
    expect(single).not.toContain('id="organisations"');
  });

  it('should warn loudly when no Xero organisation is pinned, and show the sandbox banner', () => {
    const s = snapshot({ runtime: 'sandbox', warnings: [NO_TENANT_PIN_WARNING, 'Other <warning>'] });
    const page = renderStatusPage({ ...s, connection: { ...s.connection, tenantPinned: false } }, { paths: PATHS });
    // The banner says it once; other warnings are listed.
    expect(page).not.toContain(NO_TENANT_PIN_WARNING);
    expect(page).toContain('<div class="warning">Other &lt;warning&gt;</div>');
    expect(page).toMatch(/<div class="pin" role="alert" id="no-tenant-pin">WARNING: no Xero organisation is pinned/);
    expect(page).toContain('SANDBOX MODE');
    expect(renderStatusPage(snapshot(), { paths: PATHS })).not.toContain('no-tenant-pin');
  });

  it('should link Connect/Reconnect to the connect path', () => {
    const s = snapshot();
    expect(renderStatusPage(s, { paths: PATHS })).toContain(
      '<a id="reconnect" class="button" href="/oauth/xero/connect">Reconnect Xero</a>'
    );
    const page = renderStatusPage(
      { ...s, connection: { state: 'not_connected' } },
      { paths: { ...PATHS, connect: '/prod/oauth/xero/connect' } }
    );
    expect(page).toContain('href="/prod/oauth/xero/connect">Connect Xero</a>');
  });
});
