/** Small, self-contained HTML result pages for the consent flow. Every dynamic value is escaped. */
import type { XeroTenantConnection } from './types';

export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function page(title: string, inner: string): string {
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    '<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.5}',
    'li{margin:.5rem 0}</style>',
    '</head><body>',
    `<h1>${escapeHtml(title)}</h1>`,
    inner,
    '</body></html>',
  ].join('\n');
}

export function renderConnectedPage(tenantNames: readonly string[]): string {
  const names = tenantNames.map((name) => `<strong>${escapeHtml(name)}</strong>`);
  const what =
    names.length === 1
      ? `the Xero organisation ${names[0]}`
      : `the Xero organisations</p><ul>${names.map((n) => `<li>${n}</li>`).join('')}</ul><p>`;
  return page(
    'Xero connected',
    `<p>The connector is now connected to ${what}.</p>` + '<p>Syncing resumes on its own. You can close this page.</p>'
  );
}

export function renderFailurePage(title: string, reason: string, nextStep: string): string {
  return page(title, `<p>${escapeHtml(reason)}</p><p><strong>Next step:</strong> ${escapeHtml(nextStep)}</p>`);
}

/**
 * One checkbox per organisation, POSTed with the single-use choice token: the operator may tick several (records are
 * then routed among them by the mapping settings' routing rule).
 */
export function renderChooseTenantPage(
  tenants: readonly XeroTenantConnection[],
  chooseUrl: string,
  choiceToken: string
): string {
  const items = tenants
    .map(
      (tenant) =>
        `<li><label><input type="checkbox" name="tenantId" value="${escapeHtml(tenant.tenantId)}"> ` +
        `${escapeHtml(tenant.tenantName)}</label></li>`
    )
    .join('\n');
  return page(
    'Choose Xero organisations',
    '<p>You connected several Xero organisations. Tick the ones this connector may sync to; the first ticked is ' +
      'the default organisation (set XERO_TENANT_ID, comma-separated, to skip this step next time). The choice ' +
      'expires in a few minutes.</p>' +
      `<form method="post" action="${escapeHtml(chooseUrl)}">` +
      `<input type="hidden" name="token" value="${escapeHtml(choiceToken)}">` +
      `<ul>\n${items}\n</ul><p><button type="submit">Connect the ticked organisations</button></p></form>`
  );
}

/**
 * Asks an admin to confirm that another organisation replaces the connected one. The admin token is typed into a
 * password field and POSTed (never in a URL); a browser that only holds a connect link cannot confirm.
 */
export function renderConfirmReplacePage(
  current: readonly { tenantId: string; tenantName: string }[],
  next: readonly XeroTenantConnection[],
  confirmUrl: string,
  confirmToken: string
): string {
  const list = (orgs: readonly { tenantId: string; tenantName: string }[]) =>
    orgs.map((o) => `${escapeHtml(o.tenantName)} (${escapeHtml(o.tenantId)})`).join(', ');
  const names = next.map((t) => escapeHtml(t.tenantName)).join(', ');
  return page(
    'Replace the connected Xero organisation?',
    `<p><strong>This connector already syncs to ${list(current)}</strong>. This consent connects ` +
      `<strong>${list(next)}</strong> instead: records would then go there, and the access to a connected ` +
      'organisation not in this list is revoked.</p>' +
      '<p>If you did not mean to change organisations, close this page: nothing changes.</p>' +
      `<form method="post" action="${escapeHtml(confirmUrl)}">` +
      `<input type="hidden" name="token" value="${escapeHtml(confirmToken)}">` +
      next.map((t) => `<input type="hidden" name="tenantId" value="${escapeHtml(t.tenantId)}">`).join('') +
      '<input type="hidden" name="confirm" value="replace">' +
      '<p><label>Admin token (CONNECTOR_ADMIN_TOKEN; not needed when signed in to the local status page): ' +
      '<input type="password" name="adminToken" autocomplete="off"></label></p>' +
      `<p><button type="submit">Use ${names}</button></p></form>`
  );
}
