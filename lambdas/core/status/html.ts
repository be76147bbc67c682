/** HTML escaping for the status page: every value from a snapshot passes through here before it reaches markup. */

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/**
 * A link target the page may use: http(s) URLs and paths on this site. Anything else (`javascript:`, `data:`) is
 * dropped, so a snapshot built from hostile text can never make a link run code.
 */
export function safeHref(href: string | undefined): string | undefined {
  if (!href) return undefined;
  if (href.startsWith('/') && !href.startsWith('//')) return href;
  return /^https?:\/\/[^\s]+$/i.test(href) ? href : undefined;
}
