/**
 * Calendar days in an organisation's own time zone.
 *
 * Dataverse returns UserLocal date-time columns (salesorder `submitdate`, `createdon`) as UTC instants
 * (learn.microsoft.com/power-apps/developer/data-platform/behavior-format-date-time-attribute), so an order
 * submitted on 1 May in Sydney arrives as 2024-04-30T14:00:00Z. The invoice Date must be the day the organisation
 * lives in: by default the Xero organisation's time zone (GET /Organisation `Timezone`,
 * developer.xero.com/documentation/api/accounting/organisation), which Xero names with Windows-style identifiers
 * (NEWZEALANDSTANDARDTIME); this table maps each of them to the IANA zone `Intl` understands (the same pairing
 * as the Unicode CLDR Windows-zone mapping, territory 001).
 */

export const XERO_TIME_ZONES: Readonly<Record<string, string>> = {
  AFGHANISTANSTANDARDTIME: 'Asia/Kabul',
  ALASKANSTANDARDTIME: 'America/Anchorage',
  ALEUTIANSTANDARDTIME: 'America/Adak',
  ALTAISTANDARDTIME: 'Asia/Barnaul',
  ARABIANSTANDARDTIME: 'Asia/Dubai',
  ARABICSTANDARDTIME: 'Asia/Baghdad',
  ARABSTANDARDTIME: 'Asia/Riyadh',
  ARGENTINASTANDARDTIME: 'America/Argentina/Buenos_Aires',
  ASTRAKHANSTANDARDTIME: 'Europe/Astrakhan',
  ATLANTICSTANDARDTIME: 'America/Halifax',
  AUSCENTRALSTANDARDTIME: 'Australia/Darwin',
  AUSCENTRALWSTANDARDTIME: 'Australia/Eucla',
  AUSEASTERNSTANDARDTIME: 'Australia/Sydney',
  AZERBAIJANSTANDARDTIME: 'Asia/Baku',
  AZORESSTANDARDTIME: 'Atlantic/Azores',
  BAHIASTANDARDTIME: 'America/Bahia',
  BANGLADESHSTANDARDTIME: 'Asia/Dhaka',
  BELARUSSTANDARDTIME: 'Europe/Minsk',
  BOUGAINVILLESTANDARDTIME: 'Pacific/Bougainville',
  CANADACENTRALSTANDARDTIME: 'America/Regina',
  CAPEVERDESTANDARDTIME: 'Atlantic/Cape_Verde',
  CAUCASUSSTANDARDTIME: 'Asia/Yerevan',
  CENAUSTRALIASTANDARDTIME: 'Australia/Adelaide',
  CENTRALAMERICASTANDARDTIME: 'America/Guatemala',
  CENTRALASIASTANDARDTIME: 'Asia/Bishkek',
  CENTRALBRAZILIANSTANDARDTIME: 'America/Cuiaba',
  CENTRALEUROPEANSTANDARDTIME: 'Europe/Warsaw',
  CENTRALEUROPESTANDARDTIME: 'Europe/Budapest',
  CENTRALPACIFICSTANDARDTIME: 'Pacific/Guadalcanal',
  CENTRALSTANDARDTIME: 'America/Chicago',
  'CENTRALSTANDARDTIME(MEXICO)': 'America/Mexico_City',
  CHATHAMISLANDSSTANDARDTIME: 'Pacific/Chatham',
  CHINASTANDARDTIME: 'Asia/Shanghai',
  CUBASTANDARDTIME: 'America/Havana',
  DATELINESTANDARDTIME: 'Etc/GMT+12',
  EAFRICASTANDARDTIME: 'Africa/Nairobi',
  EASTERISLANDSTANDARDTIME: 'Pacific/Easter',
  EASTERNSTANDARDTIME: 'America/New_York',
  'EASTERNSTANDARDTIME(MEXICO)': 'America/Cancun',
  EAUSTRALIASTANDARDTIME: 'Australia/Brisbane',
  EEUROPESTANDARDTIME: 'Europe/Chisinau',
  EGYPTSTANDARDTIME: 'Africa/Cairo',
  EKATERINBURGSTANDARDTIME: 'Asia/Yekaterinburg',
  ESOUTHAMERICASTANDARDTIME: 'America/Sao_Paulo',
  FIJISTANDARDTIME: 'Pacific/Fiji',
  FLESTANDARDTIME: 'Europe/Kiev',
  GEORGIANSTANDARDTIME: 'Asia/Tbilisi',
  GMTSTANDARDTIME: 'Europe/London',
  GREENLANDSTANDARDTIME: 'America/Godthab',
  GREENWICHSTANDARDTIME: 'Atlantic/Reykjavik',
  GTBSTANDARDTIME: 'Europe/Bucharest',
  HAITISTANDARDTIME: 'America/Port-au-Prince',
  HAWAIIANSTANDARDTIME: 'Pacific/Honolulu',
  INDIASTANDARDTIME: 'Asia/Kolkata',
  IRANSTANDARDTIME: 'Asia/Tehran',
  ISRAELSTANDARDTIME: 'Asia/Jerusalem',
  JORDANSTANDARDTIME: 'Asia/Amman',
  KALININGRADSTANDARDTIME: 'Europe/Kaliningrad',
  KAMCHATKASTANDARDTIME: 'Asia/Kamchatka',
  KOREASTANDARDTIME: 'Asia/Seoul',
  LIBYASTANDARDTIME: 'Africa/Tripoli',
  LINEISLANDSSTANDARDTIME: 'Pacific/Kiritimati',
  LORDHOWESTANDARDTIME: 'Australia/Lord_Howe',
  MAGADANSTANDARDTIME: 'Asia/Magadan',
  MAGALLANESSTANDARDTIME: 'America/Punta_Arenas',
  MARQUESASSTANDARDTIME: 'Pacific/Marquesas',
  MAURITIUSSTANDARDTIME: 'Indian/Mauritius',
  MIDATLANTICSTANDARDTIME: 'Etc/GMT+2',
  MIDDLEEASTSTANDARDTIME: 'Asia/Beirut',
  MONTEVIDEOSTANDARDTIME: 'America/Montevideo',
  MOROCCOSTANDARDTIME: 'Africa/Casablanca',
  MOUNTAINSTANDARDTIME: 'America/Denver',
  'MOUNTAINSTANDARDTIME(MEXICO)': 'America/Mazatlan',
  MYANMARSTANDARDTIME: 'Asia/Yangon',
  NAMIBIASTANDARDTIME: 'Africa/Windhoek',
  NCENTRALASIASTANDARDTIME: 'Asia/Novosibirsk',
  NEPALSTANDARDTIME: 'Asia/Kathmandu',
  NEWFOUNDLANDSTANDARDTIME: 'America/St_Johns',
  NEWZEALANDSTANDARDTIME: 'Pacific/Auckland',
  NORFOLKSTANDARDTIME: 'Pacific/Norfolk',
  NORTHASIAEASTSTANDARDTIME: 'Asia/Irkutsk',
  NORTHASIASTANDARDTIME: 'Asia/Krasnoyarsk',
  NORTHKOREASTANDARDTIME: 'Asia/Pyongyang',
  OMSKSTANDARDTIME: 'Asia/Omsk',
  PACIFICSASTANDARDTIME: 'America/Santiago',
  PACIFICSTANDARDTIME: 'America/Los_Angeles',
  'PACIFICSTANDARDTIME(MEXICO)': 'America/Tijuana',
  PAKISTANSTANDARDTIME: 'Asia/Karachi',
  PARAGUAYSTANDARDTIME: 'America/Asuncion',
  QYZYLORDASTANDARDTIME: 'Asia/Qyzylorda',
  ROMANCESTANDARDTIME: 'Europe/Paris',
  RUSSIANSTANDARDTIME: 'Europe/Moscow',
  RUSSIATIMEZONE10: 'Asia/Srednekolymsk',
  RUSSIATIMEZONE11: 'Asia/Kamchatka',
  RUSSIATIMEZONE3: 'Europe/Samara',
  SAEASTERNSTANDARDTIME: 'America/Cayenne',
  SAINTPIERRESTANDARDTIME: 'America/Miquelon',
  SAKHALINSTANDARDTIME: 'Asia/Sakhalin',
  SAMOASTANDARDTIME: 'Pacific/Apia',
  SAOTOMESTANDARDTIME: 'Africa/Sao_Tome',
  SAPACIFICSTANDARDTIME: 'America/Bogota',
  SARATOVSTANDARDTIME: 'Europe/Saratov',
  SAWESTERNSTANDARDTIME: 'America/La_Paz',
  SEASIASTANDARDTIME: 'Asia/Bangkok',
  SINGAPORESTANDARDTIME: 'Asia/Singapore',
  SOUTHAFRICASTANDARDTIME: 'Africa/Johannesburg',
  SOUTHSUDANSTANDARDTIME: 'Africa/Juba',
  SRILANKASTANDARDTIME: 'Asia/Colombo',
  SUDANSTANDARDTIME: 'Africa/Khartoum',
  SYRIASTANDARDTIME: 'Asia/Damascus',
  TAIPEISTANDARDTIME: 'Asia/Taipei',
  TASMANIASTANDARDTIME: 'Australia/Hobart',
  TOCANTINSSTANDARDTIME: 'America/Araguaina',
  TOKYOSTANDARDTIME: 'Asia/Tokyo',
  TOMSKSTANDARDTIME: 'Asia/Tomsk',
  TONGASTANDARDTIME: 'Pacific/Tongatapu',
  TRANSBAIKALSTANDARDTIME: 'Asia/Chita',
  TURKEYSTANDARDTIME: 'Europe/Istanbul',
  TURKSANDCAICOSSTANDARDTIME: 'America/Grand_Turk',
  ULAANBAATARSTANDARDTIME: 'Asia/Ulaanbaatar',
  USEASTERNSTANDARDTIME: 'America/Indiana/Indianapolis',
  USMOUNTAINSTANDARDTIME: 'America/Phoenix',
  UTC: 'Etc/UTC',
  'UTC+12': 'Etc/GMT-12',
  'UTC+13': 'Etc/GMT-13',
  UTC02: 'Etc/GMT+2',
  UTC08: 'Etc/GMT+8',
  UTC09: 'Etc/GMT+9',
  UTC11: 'Etc/GMT+11',
  VENEZUELASTANDARDTIME: 'America/Caracas',
  VLADIVOSTOKSTANDARDTIME: 'Asia/Vladivostok',
  VOLGOGRADSTANDARDTIME: 'Europe/Volgograd',
  WAUSTRALIASTANDARDTIME: 'Australia/Perth',
  WCENTRALAFRICASTANDARDTIME: 'Africa/Lagos',
  WESTASIASTANDARDTIME: 'Asia/Tashkent',
  WESTBANKSTANDARDTIME: 'Asia/Hebron',
  WESTPACIFICSTANDARDTIME: 'Pacific/Port_Moresby',
  WEUROPESTANDARDTIME: 'Europe/Berlin',
  WMONGOLIASTANDARDTIME: 'Asia/Hovd',
  YAKUTSKSTANDARDTIME: 'Asia/Yakutsk',
  YUKONSTANDARDTIME: 'America/Whitehorse',
};

/** The IANA zone of a Xero organisation Timezone, or undefined when Xero sent a name this table does not know. */
export function ianaZoneOfXero(xeroTimezone: string | undefined): string | undefined {
  if (!xeroTimezone) return undefined;
  return XERO_TIME_ZONES[xeroTimezone.trim().toUpperCase()];
}

/** True when `Intl` knows the zone (e.g. "Australia/Sydney"). */
export function isIanaTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The calendar day (YYYY-MM-DD) of a Dataverse date value in `zone`: a bare date is already a day and is kept;
 * an instant is converted (to UTC when no zone is known). Undefined for a value that is not a date.
 */
export function calendarDay(value: string, zone: string | undefined): string | undefined {
  const text = value.trim();
  if (DATE_ONLY.test(text)) return Number.isNaN(Date.parse(`${text}T00:00:00Z`)) ? undefined : text;
  const millis = Date.parse(text);
  if (Number.isNaN(millis)) return undefined;
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: zone ?? 'UTC',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(millis);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const day = `${part('year')}-${part('month')}-${part('day')}`;
  return DATE_ONLY.test(day) ? day : undefined;
}
