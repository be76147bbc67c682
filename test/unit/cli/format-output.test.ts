import { errorMessageOf, formatValue, statusAlerts, terminalJson, terminalSafe } from '../../../src/cli/format-output';

const ESC = '\u001b';
const CSI = '\u009b';
/** A Dataverse account name that clears the screen, retitles the terminal and fakes a line. */
const HOSTILE = `Contoso${ESC}[2J${ESC}]0;pwned\u0007${CSI}31m\r\nConnection: OK\u007f`;
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

describe('terminal-safe CLI output', () => {
  it('should strip C0, DEL and C1 control characters from text, keeping the printable rest', () => {
    const safe = terminalSafe(HOSTILE);
    expect(safe).not.toMatch(CONTROL);
    expect(safe).toContain('Contoso');
    expect(safe).toContain('[2J');
    expect(terminalSafe('Café — 東京 ✓')).toBe('Café — 東京 ✓');
  });

  it('should print Dataverse-sourced values and keys without control characters', () => {
    const text = formatValue({ recent: [{ message: HOSTILE, [`k${ESC}ey`]: 1 }], name: HOSTILE });
    for (const line of text.split('\n')) expect(line).not.toMatch(CONTROL);
    expect(text.split('\n')).toHaveLength(5);
  });

  it('should clean server error messages', () => {
    expect(errorMessageOf(400, { message: HOSTILE })).not.toMatch(CONTROL);
    expect(errorMessageOf(502, HOSTILE)).not.toMatch(CONTROL);
  });

  it('should escape C1 and DEL in printed JSON while parsing back to exactly the same data', () => {
    const value = { name: HOSTILE, nested: [CSI, '\u0085'] };
    const text = terminalJson(value);
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(JSON.parse(text)).toEqual(value);
  });
});

describe('connector status alerts', () => {
  it('should name each paused Xero organisation and leave connected ones out', () => {
    const body = {
      connection: {
        state: 'connected',
        organisations: [
          { tenantId: 'org-a', tenantName: 'Alpha Ltd', state: 'connected' },
          { tenantId: 'org-b', tenantName: 'Beta Ltd', state: 'reconnect_required', reason: 'tenant_removed' },
        ],
      },
    };
    expect(statusAlerts(body)).toEqual([
      'Xero organisation Beta Ltd is paused (tenant_removed): reconnect Xero including it',
    ]);
  });

  it('should name the organisation of each broken setting and each organisation that could not be checked', () => {
    const body = {
      preflight: {
        ok: false,
        problems: [
          {
            setting: 'tracking.categories.0.values.Europe',
            value: 'South',
            problem: 'tracking option "South" does not exist in category "Region"',
            validChoices: 'North',
            organisation: 'Europe GmbH',
          },
        ],
        organisations: [
          { tenantId: 'a', name: 'Europe GmbH', ok: false, problems: 1, warnings: [] },
          { tenantId: 'b', name: 'Export Ltd', ok: false, problems: 0, warnings: [], error: 'Xero answered 503' },
        ],
      },
    };
    expect(statusAlerts(body)).toEqual([
      'Europe GmbH: Setting tracking.categories.0.values.Europe = South: tracking option "South" does not exist in ' +
        'category "Region". Valid choices: North',
      'Xero settings of Export Ltd could not be checked: Xero answered 503',
    ]);
  });
});
