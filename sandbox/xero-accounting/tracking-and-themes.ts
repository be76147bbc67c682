/**
 * One sandbox organisation's tracking categories and branding themes, and the rules Xero applies to them on invoices.
 *
 * - Tracking categories (developer.xero.com/documentation/api/accounting/trackingcategories): each category and each
 *   option is ACTIVE or ARCHIVED (or DELETED); GET /TrackingCategories hides archived ones unless includeArchived=true;
 *   PUT /TrackingCategories/{TrackingCategoryID}/Options adds options (names unique within the category, at most 100
 *   characters per xero_accounting.yaml TrackingOption.Name). An organisation has at most two active categories.
 * - Invoice lines (…/invoices, LineItems Tracking): at most two entries per line, each naming a category (by
 *   TrackingCategoryID or Name) and one of its options (by TrackingOptionID or Option). Unknown or archived
 *   categories and options are refused; the saved line carries both ids and both names.
 * - Branding themes (…/brandingthemes): GET /BrandingThemes lists them (Type INVOICE, SortOrder 0 for the default);
 *   an invoice's BrandingThemeID must be one of them.
 * Seeded like a small demo company: a "Region" category with North and South, plus Pacific and Europe (the demo
 * data's business units, which sandbox mode maps onto Region), and "Standard" and "Special Projects" themes. Tests change them through `SandboxXero.trackingAndThemes(tenantId)`.
 */
import { isRecord, msDate, newId, str, type XeroRecord } from './xero-json';

type Status = 'ACTIVE' | 'ARCHIVED' | 'DELETED';

export interface SandboxTrackingOption {
  TrackingOptionID: string;
  Name: string;
  Status: Status;
}

export interface SandboxTrackingCategory {
  TrackingCategoryID: string;
  Name: string;
  Status: Status;
  Options: SandboxTrackingOption[];
}

export interface SandboxBrandingTheme {
  BrandingThemeID: string;
  Name: string;
  Type: 'INVOICE';
  SortOrder: number;
  CreatedDateUTC: string;
}

export interface CatalogueReply {
  readonly status: number;
  readonly body: Record<string, unknown>;
  /** Validation messages: the server answers them as Xero's ValidationException. */
  readonly errors?: readonly string[];
}

const MAX_LINE_TRACKING = 2;
const MAX_ACTIVE_CATEGORIES = 2;
const MAX_NAME = 100;
const same = (a: unknown, b: unknown) =>
  typeof a === 'string' && typeof b === 'string' && a.trim().toLowerCase() === b.trim().toLowerCase();

export class TrackingAndThemes {
  readonly categories: SandboxTrackingCategory[] = [];
  readonly themes: SandboxBrandingTheme[] = [];

  constructor(createdAt: number) {
    this.addCategory('Region', ['North', 'South', 'Pacific', 'Europe']);
    for (const [index, name] of ['Standard', 'Special Projects'].entries()) {
      this.themes.push({
        BrandingThemeID: newId(),
        Name: name,
        Type: 'INVOICE',
        SortOrder: index,
        CreatedDateUTC: msDate(createdAt),
      });
    }
  }

  /** Adds a category (a test knob); refused past Xero's two active categories. */
  addCategory(name: string, options: readonly string[], status: Status = 'ACTIVE'): SandboxTrackingCategory {
    if (status === 'ACTIVE' && this.categories.filter((c) => c.Status === 'ACTIVE').length >= MAX_ACTIVE_CATEGORIES) {
      throw new Error(`an organisation has at most ${MAX_ACTIVE_CATEGORIES} active tracking categories`);
    }
    const category: SandboxTrackingCategory = {
      TrackingCategoryID: newId(),
      Name: name,
      Status: status,
      Options: options.map((o) => ({ TrackingOptionID: newId(), Name: o, Status: 'ACTIVE' })),
    };
    this.categories.push(category);
    return category;
  }

  category(name: string): SandboxTrackingCategory | undefined {
    return this.categories.find((c) => same(c.Name, name));
  }

  /** Routes /TrackingCategories… and /BrandingThemes…; undefined for any other path. */
  route(method: string, apiPath: string, url: URL, body: unknown): CatalogueReply | undefined {
    const tracking = /^\/TrackingCategories(?:\/([^/]+))?(\/Options)?$/.exec(apiPath);
    if (tracking) return this.trackingRoute(method, tracking[1], tracking[2] !== undefined, url, body);
    const themes = /^\/BrandingThemes(?:\/([^/]+))?$/.exec(apiPath);
    if (!themes) return undefined;
    if (method !== 'GET') return { status: 405, body: { Message: 'Method not allowed' } };
    const id = themes[1];
    const rows = id ? this.themes.filter((t) => same(t.BrandingThemeID, decodeURIComponent(id))) : this.themes;
    if (id && rows.length === 0) return { status: 404, body: { Title: 'Not Found', Status: 404 } };
    return { status: 200, body: { BrandingThemes: rows } };
  }

  private trackingRoute(method: string, id: string | undefined, options: boolean, url: URL, body: unknown) {
    const found = id ? this.categories.find((c) => same(c.TrackingCategoryID, decodeURIComponent(id))) : undefined;
    if (id && !found) return { status: 404, body: { Title: 'Not Found', Status: 404 } };
    if (method === 'PUT' && found && options) return this.addOptions(found, body);
    if (method !== 'GET' || options) return { status: 405, body: { Message: 'Method not allowed' } };
    const archived = url.searchParams.get('includeArchived')?.toLowerCase() === 'true';
    const visible = (found ? [found] : this.categories)
      .filter((c) => c.Status !== 'DELETED' && (archived || c.Status === 'ACTIVE'))
      .map((c) => ({
        ...c,
        Options: c.Options.filter((o) => o.Status !== 'DELETED' && (archived || o.Status === 'ACTIVE')),
      }));
    return { status: 200, body: { TrackingCategories: visible } };
  }

  /** PUT /TrackingCategories/{id}/Options with `{ Name }` or `{ Options: [{ Name }] }`. */
  private addOptions(category: SandboxTrackingCategory, body: unknown): CatalogueReply {
    const inputs = isRecord(body) && Array.isArray(body.Options) ? body.Options.filter(isRecord) : [body];
    const names = inputs.map((o) => (isRecord(o) ? str(o.Name)?.trim() : undefined));
    const errors: string[] = [];
    if (category.Status !== 'ACTIVE') errors.push(`Tracking category ${category.Name} is ${category.Status}.`);
    names.forEach((name, index) => {
      if (!name) errors.push('Tracking option Name is required.');
      else if (name.length > MAX_NAME) errors.push(`Tracking option Name must be at most ${MAX_NAME} characters.`);
      else if (category.Options.some((o) => same(o.Name, name)) || names.slice(0, index).some((n) => same(n, name)))
        errors.push(`A tracking option called ${name} already exists in ${category.Name}.`);
    });
    if (errors.length > 0) return { status: 400, body: {}, errors };
    const added = names.map((name) => ({ TrackingOptionID: newId(), Name: name as string, Status: 'ACTIVE' as const }));
    category.Options.push(...added);
    return { status: 200, body: { Options: added } };
  }

  /** Xero's checks on an invoice's BrandingThemeID and line tracking; the invoice with the tracking resolved. */
  checkInvoice(invoice: XeroRecord): { invoice: XeroRecord; errors: string[] } {
    const errors: string[] = [];
    const themeId = invoice.BrandingThemeID;
    if (themeId !== undefined && !this.themes.some((t) => same(t.BrandingThemeID, themeId))) {
      errors.push(`Branding theme ${String(themeId)} does not exist in this organisation.`);
    }
    if (!Array.isArray(invoice.LineItems)) return { invoice, errors };
    const LineItems = invoice.LineItems.map((line) =>
      isRecord(line) && line.Tracking !== undefined
        ? { ...line, Tracking: this.lineTracking(line.Tracking, errors) }
        : line
    );
    return { invoice: { ...invoice, LineItems }, errors };
  }

  private lineTracking(tracking: unknown, errors: string[]): XeroRecord[] {
    if (!Array.isArray(tracking)) {
      errors.push('Tracking must be a list of tracking categories.');
      return [];
    }
    if (tracking.length > MAX_LINE_TRACKING) {
      errors.push(`A line item can have at most ${MAX_LINE_TRACKING} tracking categories.`);
    }
    const used = new Set<string>();
    const refuse = (message: string): XeroRecord[] => {
      errors.push(message);
      return [];
    };
    return tracking.filter(isRecord).flatMap((entry) => {
      const category = this.categories.find(
        (c) => same(c.TrackingCategoryID, entry.TrackingCategoryID) || same(c.Name, entry.Name)
      );
      const label = str(entry.Name) ?? str(entry.TrackingCategoryID) ?? '';
      if (!category || category.Status === 'DELETED') return refuse(`Tracking category ${label} is not valid.`);
      if (category.Status !== 'ACTIVE') return refuse(`Tracking category ${category.Name} is archived.`);
      if (used.has(category.TrackingCategoryID)) {
        return refuse(`Tracking category ${category.Name} is used more than once on a line.`);
      }
      used.add(category.TrackingCategoryID);
      const option = category.Options.find(
        (o) => same(o.TrackingOptionID, entry.TrackingOptionID) || same(o.Name, entry.Option)
      );
      const optionLabel = str(entry.Option) ?? str(entry.TrackingOptionID) ?? '';
      if (!option || option.Status === 'DELETED') {
        return refuse(`Tracking option ${optionLabel} is not valid for ${category.Name}.`);
      }
      if (option.Status !== 'ACTIVE') {
        return refuse(`Tracking option ${option.Name} of ${category.Name} is archived.`);
      }
      return [
        {
          TrackingCategoryID: category.TrackingCategoryID,
          TrackingOptionID: option.TrackingOptionID,
          Name: category.Name,
          Option: option.Name,
        },
      ];
    });
  }
}
