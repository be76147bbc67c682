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

export function renderConnectedPage(tenantName: string): string {
  return page(
    'Xero connected',
    `<p>The connector is now connected to the Xero organisation <strong>${escapeHtml(tenantName)}</strong>.</p>` +
      '<p>Syncing resumes on its own. You can close this page.</p>'
  );
}

export function renderFailurePage(title: string, reason: string, nextStep: string): string {
  return page(title, `<p>${escapeHtml(reason)}</p><p><strong>Next step:</strong> ${escapeHtml(nextStep)}</p>`);
}

/** One link per organisation; each carries the same single-use choice token, so only the first click counts. */
export function renderChooseTenantPage(
  tenants: readonly XeroTenantConnection[],
  chooseUrl: string,
  choiceToken: string
): string {
  const items = tenants
    .map((tenant) => {
      const href = `${chooseUrl}?token=${encodeURIComponent(choiceToken)}&tenantId=${encodeURIComponent(tenant.tenantId)}`;
      return `<li><a href="${escapeHtml(href)}">${escapeHtml(tenant.tenantName)}</a></li>`;
    })
    .join('\n');
  return page(
    'Choose a Xero organisation',
    '<p>You connected several Xero organisations. Choose the one this connector should sync to ' +
      '(set XERO_TENANT_ID to skip this step next time). The choice expires in a few minutes.</p>' +
      `<ul>\n${items}\n</ul>`
  );
}

/**
 * Asks an admin to confirm that another organisation replaces the connected one. The admin token is typed into a
 * password field and POSTed (never in a URL); a browser that only holds a connect link cannot confirm.
 */
export function renderConfirmReplacePage(
  current: { tenantId: string; tenantName: string },
  next: XeroTenantConnection,
  confirmUrl: string,
  confirmToken: string
): string {
  return page(
    'Replace the connected Xero organisation?',
    `<p><strong>This connector already syncs to ${escapeHtml(current.tenantName)}</strong> ` +
      `(${escapeHtml(current.tenantId)}). This consent connects <strong>${escapeHtml(next.tenantName)}</strong> ` +
      `(${escapeHtml(next.tenantId)}) instead: every customer, product and order would then go there, and the ` +
      'access to the current organisation is revoked.</p>' +
      '<p>If you did not mean to switch organisations, close this page: nothing changes.</p>' +
      `<form method="post" action="${escapeHtml(confirmUrl)}">` +
      `<input type="hidden" name="token" value="${escapeHtml(confirmToken)}">` +
      `<input type="hidden" name="tenantId" value="${escapeHtml(next.tenantId)}">` +
      '<input type="hidden" name="confirm" value="replace">' +
      '<p><label>Admin token (CONNECTOR_ADMIN_TOKEN; not needed when signed in to the local status page): ' +
      '<input type="password" name="adminToken" autocomplete="off"></label></p>' +
      `<p><button type="submit">Replace with ${escapeHtml(next.tenantName)}</button></p></form>`
  );
}
