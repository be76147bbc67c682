/**
 * The shapes Dataverse's Web API documents for the bodies the connector's admin commands and writers send, as
 * checks a fake can run before it accepts a request. Each function returns the problems it found (empty = accepted),
 * in words close to what Dataverse answers, so a test fails the way a real org would refuse. Sources (Microsoft
 * Learn, power-apps/developer/data-platform): webapi/create-update-entity-definitions-using-web-api,
 * webapi/create-update-entity-relationships-using-web-api, reference/entities/serviceendpoint,
 * reference/entities/sdkmessageprocessingstep, reference/entities/sdkmessageprocessingstepimage.
 * See docs/dataverse-setup.md "Checked against Microsoft's documentation".
 */

type Body = Readonly<Record<string, unknown>>;

const METADATA = 'Microsoft.Dynamics.CRM.';
/** A custom name: publisher prefix (2–8 letters or digits, starting with a letter), underscore, then the name. */
const CUSTOM_SCHEMA_NAME = /^[A-Za-z][A-Za-z0-9]{1,7}_[A-Za-z0-9_]+$/;
const REQUIRED_LEVELS = ['None', 'SystemRequired', 'ApplicationRequired', 'Recommended'];
/** Valid cascade types per action (configure-entity-relationship-cascading-behavior). */
const CASCADE_OPTIONS: Readonly<Record<string, readonly string[]>> = {
  Assign: ['Active', 'Cascade', 'NoCascade', 'UserOwned'],
  Delete: ['Cascade', 'RemoveLink', 'Restrict'],
  Merge: ['Cascade', 'NoCascade'],
  Reparent: ['Active', 'Cascade', 'NoCascade', 'UserOwned'],
  Share: ['Active', 'Cascade', 'NoCascade', 'UserOwned'],
  Unshare: ['Active', 'Cascade', 'NoCascade', 'UserOwned'],
};
/** Tables whose rows can be merged: a relationship they are the "one" side of must cascade Merge. */
const MERGEABLE_TABLES = ['account', 'contact', 'lead', 'incident'];
const STRING_FORMATS = ['Text', 'Email', 'Url', 'Phone', 'TextArea', 'TickerSymbol', 'Json', 'RichText'];
/** Money columns hold at most ±922,337,203,685,477 (MoneyAttributeMetadata Min/MaxSupportedValue). */
const MONEY_LIMIT = 922_337_203_685_477;

/** The attribute kinds the connector creates: @odata.type suffix → [AttributeType, AttributeTypeName.Value]. */
const ATTRIBUTE_KINDS: Readonly<Record<string, readonly [string, string]>> = {
  StringAttributeMetadata: ['String', 'StringType'],
  MemoAttributeMetadata: ['Memo', 'MemoType'],
  PicklistAttributeMetadata: ['Picklist', 'PicklistType'],
  MoneyAttributeMetadata: ['Money', 'MoneyType'],
  DateTimeAttributeMetadata: ['DateTime', 'DateTimeType'],
  LookupAttributeMetadata: ['Lookup', 'LookupType'],
  BooleanAttributeMetadata: ['Boolean', 'BooleanType'],
};

function isObject(value: unknown): value is Body {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isInt(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

/** A Label: LocalizedLabels with at least one { Label, LanguageCode } (UserLocalizedLabel is read-only). */
export function labelProblems(path: string, value: unknown, required = true): string[] {
  if (value === undefined && !required) return [];
  if (!isObject(value)) return [`${path} must be a Label object`];
  const localized = value.LocalizedLabels;
  if (!Array.isArray(localized) || localized.length === 0)
    return [`${path}.LocalizedLabels must list at least one label`];
  return localized.flatMap((entry, index) =>
    isObject(entry) && typeof entry.Label === 'string' && entry.Label.trim() && isInt(entry.LanguageCode, 1025, 99999)
      ? []
      : [`${path}.LocalizedLabels[${index}] needs a non-empty Label and a LanguageCode (LCID, e.g. 1033)`]
  );
}

function schemaNameProblems(path: string, value: unknown): string[] {
  return typeof value === 'string' && CUSTOM_SCHEMA_NAME.test(value)
    ? []
    : [`${path} "${String(value)}" must start with the publisher's customization prefix and an underscore`];
}

function requiredLevelProblems(path: string, value: unknown): string[] {
  return isObject(value) && typeof value.Value === 'string' && REQUIRED_LEVELS.includes(value.Value)
    ? []
    : [`${path}.RequiredLevel must be { Value: None | SystemRequired | ApplicationRequired | Recommended }`];
}

/**
 * A Yes/No column's options ("Create a boolean column", create-update-column-definitions-using-web-api): TrueOption
 * with Value 1 and FalseOption with Value 0, each with a Label.
 */
function booleanOptionSetProblems(name: string, optionSet: unknown): string[] {
  if (!isObject(optionSet)) return [`${name}: a Boolean column needs an OptionSet with TrueOption and FalseOption`];
  return (
    [
      ['TrueOption', 1],
      ['FalseOption', 0],
    ] as const
  ).flatMap(([key, value]) => {
    const option = optionSet[key];
    if (!isObject(option) || option.Value !== value) return [`${name}: OptionSet.${key}.Value must be ${value}`];
    return labelProblems(`${name}: OptionSet.${key}.Label`, option.Label);
  });
}

/** One column definition (POST EntityDefinitions(LogicalName='x')/Attributes, or inside a table or relationship). */
export function attributeProblems(body: unknown, options: { primaryName?: boolean } = {}): string[] {
  if (!isObject(body)) return ['the attribute definition must be an object'];
  const type = typeof body['@odata.type'] === 'string' ? body['@odata.type'] : '';
  const kind = ATTRIBUTE_KINDS[type.startsWith(METADATA) ? type.slice(METADATA.length) : ''];
  const name = `attribute ${String(body.SchemaName)}`;
  if (!kind) return [`${name}: @odata.type "${type}" is not an attribute metadata type`];
  const problems = [
    ...schemaNameProblems(`${name}: SchemaName`, body.SchemaName),
    ...labelProblems(`${name}: DisplayName`, body.DisplayName),
    ...labelProblems(`${name}: Description`, body.Description, false),
    ...requiredLevelProblems(name, body.RequiredLevel),
  ];
  if (body.AttributeType !== undefined && body.AttributeType !== kind[0]) {
    problems.push(`${name}: AttributeType must be ${kind[0]} for ${type}`);
  }
  const typeName = isObject(body.AttributeTypeName) ? body.AttributeTypeName.Value : undefined;
  if (typeName !== undefined && typeName !== kind[1]) problems.push(`${name}: AttributeTypeName must be ${kind[1]}`);
  const format = isObject(body.FormatName) ? body.FormatName.Value : undefined;
  switch (kind[0]) {
    case 'String':
      if (!isInt(body.MaxLength, 1, 4000)) problems.push(`${name}: MaxLength must be 1–4000`);
      if (format !== undefined && !STRING_FORMATS.includes(String(format))) {
        problems.push(`${name}: FormatName "${String(format)}" is not a string format`);
      }
      if (options.primaryName && format !== 'Text') problems.push(`${name}: the primary name column must use Text`);
      break;
    case 'Memo':
      if (!isInt(body.MaxLength, 1, 1_048_576)) problems.push(`${name}: MaxLength must be 1–1048576`);
      break;
    case 'Picklist':
      problems.push(...optionSetProblems(name, body.OptionSet));
      break;
    case 'Boolean':
      problems.push(...booleanOptionSetProblems(name, body.OptionSet));
      break;
    case 'Money':
      if (body.PrecisionSource !== undefined && !isInt(body.PrecisionSource, 0, 2)) {
        problems.push(`${name}: PrecisionSource must be 0, 1 or 2`);
      }
      if (typeof body.MinValue === 'number' && body.MinValue < -MONEY_LIMIT) problems.push(`${name}: MinValue too low`);
      if (typeof body.MaxValue === 'number' && body.MaxValue > MONEY_LIMIT) problems.push(`${name}: MaxValue too high`);
      break;
    case 'DateTime': {
      const behavior = isObject(body.DateTimeBehavior) ? body.DateTimeBehavior.Value : undefined;
      if (body.Format !== undefined && !['DateOnly', 'DateAndTime'].includes(String(body.Format))) {
        problems.push(`${name}: Format must be DateOnly or DateAndTime`);
      }
      if (behavior !== undefined && !['UserLocal', 'DateOnly', 'TimeZoneIndependent'].includes(String(behavior))) {
        problems.push(`${name}: DateTimeBehavior.Value must be UserLocal, DateOnly or TimeZoneIndependent`);
      }
      if (behavior === 'DateOnly' && body.Format !== 'DateOnly') {
        problems.push(`${name}: a DateOnly behaviour needs Format DateOnly`);
      }
      break;
    }
  }
  if (options.primaryName && (kind[0] !== 'String' || body.IsPrimaryName !== true)) {
    problems.push(`${name}: the primary name column must be a StringAttributeMetadata with IsPrimaryName true`);
  }
  return problems;
}

function optionSetProblems(name: string, optionSet: unknown): string[] {
  if (!isObject(optionSet)) return [`${name}: a choice column needs an OptionSet`];
  const problems: string[] = [];
  if (optionSet.IsGlobal !== false) problems.push(`${name}: a local OptionSet needs IsGlobal false`);
  if (optionSet.OptionSetType !== 'Picklist') problems.push(`${name}: OptionSetType must be Picklist`);
  const options = Array.isArray(optionSet.Options) ? optionSet.Options : [];
  if (options.length === 0) problems.push(`${name}: OptionSet.Options is empty`);
  const values = new Set<number>();
  options.forEach((option: unknown, index) => {
    const where = `${name}: OptionSet.Options[${index}]`;
    if (!isObject(option) || !isInt(option.Value, -2_147_483_648, 2_147_483_647)) {
      problems.push(`${where} needs an integer Value`);
      return;
    }
    if (values.has(option.Value)) problems.push(`${where}: value ${option.Value} is used twice`);
    values.add(option.Value);
    problems.push(...labelProblems(`${where}.Label`, option.Label));
  });
  return problems;
}

/** A table definition (POST EntityDefinitions): required properties and exactly one primary name column. */
export function entityProblems(body: unknown): string[] {
  if (!isObject(body)) return ['the table definition must be an object'];
  const problems = [
    ...(body['@odata.type'] === `${METADATA}EntityMetadata` ? [] : ['@odata.type must be EntityMetadata']),
    ...schemaNameProblems('SchemaName', body.SchemaName),
    ...labelProblems('DisplayName', body.DisplayName),
    ...labelProblems('DisplayCollectionName', body.DisplayCollectionName),
    ...labelProblems('Description', body.Description, false),
  ];
  if (!['UserOwned', 'OrganizationOwned'].includes(String(body.OwnershipType))) {
    problems.push('OwnershipType must be UserOwned or OrganizationOwned');
  }
  for (const flag of ['IsActivity', 'HasActivities', 'HasNotes']) {
    if (typeof body[flag] !== 'boolean') problems.push(`${flag} must be set (true or false)`);
  }
  const attributes = Array.isArray(body.Attributes) ? (body.Attributes as unknown[]) : [];
  const primary = attributes.filter((attribute) => isObject(attribute) && attribute.IsPrimaryName === true);
  if (primary.length !== 1) {
    problems.push('Attributes must contain exactly one primary name column (IsPrimaryName true)');
  }
  for (const attribute of attributes) {
    problems.push(
      ...attributeProblems(attribute, { primaryName: isObject(attribute) && attribute.IsPrimaryName === true })
    );
  }
  // Required by Microsoft's metadata sample ("must include the LogicalName value of the primary name column").
  const primaryName = isObject(primary[0]) ? String(primary[0].SchemaName).toLowerCase() : undefined;
  if (body.PrimaryNameAttribute !== primaryName) {
    problems.push(`PrimaryNameAttribute must be the logical name of the primary name column (${String(primaryName)})`);
  }
  return problems;
}

/** A one-to-many relationship with its lookup column (POST RelationshipDefinitions). */
export function oneToManyProblems(body: unknown): string[] {
  if (!isObject(body)) return ['the relationship definition must be an object'];
  const problems = [
    ...(body['@odata.type'] === `${METADATA}OneToManyRelationshipMetadata`
      ? []
      : ['@odata.type must be OneToManyRelationshipMetadata (RelationshipDefinitions also takes many-to-many)']),
    ...schemaNameProblems('SchemaName', body.SchemaName),
  ];
  for (const field of ['ReferencedEntity', 'ReferencedAttribute', 'ReferencingEntity']) {
    if (typeof body[field] !== 'string' || !body[field]) problems.push(`${field} is required`);
  }
  const navigation = body.ReferencingEntityNavigationPropertyName;
  if (navigation !== undefined && (typeof navigation !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(navigation))) {
    problems.push('ReferencingEntityNavigationPropertyName must be a plain name');
  }
  const cascade = body.CascadeConfiguration;
  if (cascade !== undefined) {
    if (!isObject(cascade)) problems.push('CascadeConfiguration must be an object');
    else {
      for (const [key, options] of Object.entries(CASCADE_OPTIONS)) {
        if (cascade[key] !== undefined && !options.includes(String(cascade[key]))) {
          problems.push(`CascadeConfiguration.${key} "${String(cascade[key])}" is not valid for ${key}`);
        }
      }
      if (MERGEABLE_TABLES.includes(String(body.ReferencedEntity)) && cascade.Merge !== 'Cascade') {
        problems.push(
          `CascadeConfiguration.Merge must be Cascade: ${String(body.ReferencedEntity)} rows can be merged`
        );
      }
    }
  }
  const menu = body.AssociatedMenuConfiguration;
  if (isObject(menu) && menu.Label !== undefined) {
    problems.push(...labelProblems('AssociatedMenuConfiguration.Label', menu.Label));
  }
  const lookup = body.Lookup;
  if (!isObject(lookup) || lookup['@odata.type'] !== `${METADATA}LookupAttributeMetadata`) {
    problems.push('Lookup must be a LookupAttributeMetadata');
  } else problems.push(...attributeProblems(lookup));
  return problems;
}

/**
 * The single-valued navigation property a new lookup gets: the one asked for, otherwise the lookup's SchemaName
 * (case kept, as `@odata.bind` is case sensitive).
 */
export function navigationPropertyOf(relationship: Body): string {
  const asked = relationship.ReferencingEntityNavigationPropertyName;
  if (typeof asked === 'string' && asked) return asked;
  return String((relationship.Lookup as Body | undefined)?.SchemaName ?? '');
}

/** Names of `<property>@odata.bind` keys that are not declared navigation properties (case sensitive). */
export function undeclaredBinds(body: Body, declared: ReadonlySet<string>): string[] {
  return Object.keys(body)
    .map((key) => /^(.+)@odata\.bind$/.exec(key)?.[1])
    .filter((property): property is string => property !== undefined && !declared.has(property));
}

/** Dataverse's answer to a bind through a navigation property the entity does not have. */
export function undeclaredPropertyMessage(property: string): string {
  return (
    `An undeclared property '${property}' which only has property annotations in the payload but no property ` +
    'value was found in the payload. In OData, only declared navigation properties and declared named streams ' +
    'can be represented as properties without values.'
  );
}

const BIND_VALUE = /^\/[a-z_]+\([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\)$/;

function bindProblems(body: Body, required: readonly string[], declared: readonly string[]): string[] {
  const problems = undeclaredBinds(body, new Set(declared)).map(undeclaredPropertyMessage);
  for (const property of required) {
    if (body[`${property}@odata.bind`] === undefined) problems.push(`${property}@odata.bind is required`);
  }
  for (const property of declared) {
    const value = body[`${property}@odata.bind`];
    if (value !== undefined && (typeof value !== 'string' || !BIND_VALUE.test(value))) {
      problems.push(`${property}@odata.bind must look like /<entity set>(<guid>)`);
    }
  }
  return problems;
}

function maxLength(body: Body, field: string, max: number): string[] {
  const value = body[field];
  return typeof value === 'string' && value.length > max ? [`${field} is longer than ${max} characters`] : [];
}

/** A serviceendpoint row used as a webhook (contract 8). */
export function serviceEndpointProblems(body: Body, creating: boolean): string[] {
  const problems = [
    ...maxLength(body, 'name', 256),
    ...maxLength(body, 'url', 2000),
    ...maxLength(body, 'authvalue', 2048),
    ...bindProblems(body, [], []),
  ];
  if (creating && (typeof body.name !== 'string' || !body.name)) problems.push('name is required');
  if (creating && body.contract === undefined) problems.push('contract is required');
  if (body.contract !== undefined && body.contract !== 8) problems.push('contract must be 8 (Webhook) for a webhook');
  if (body.authtype !== undefined && ![4, 5, 6].includes(Number(body.authtype))) {
    problems.push('authtype of a webhook must be 4 (WebhookKey), 5 (HttpHeader) or 6 (HttpQueryString)');
  }
  if (body.messageformat !== undefined && ![1, 2, 3].includes(Number(body.messageformat))) {
    problems.push('messageformat must be 1, 2 or 3');
  }
  if (Number(body.authtype) === 5 && body.authvalue !== undefined && httpHeaderSettings(body.authvalue) === null) {
    problems.push('authvalue of an HttpHeader webhook must be <settings><setting name=".." value=".." /></settings>');
  }
  return problems;
}

/**
 * The headers of an HttpHeader (authtype 5) webhook from its authvalue, in the form the Plugin Registration Tool
 * stores (`<settings><setting name="x" value="y" /></settings>`); null when the value is not in that form.
 */
export function httpHeaderSettings(authvalue: unknown): Record<string, string> | null {
  if (typeof authvalue !== 'string') return null;
  const match = /^\s*<settings>((?:\s*<setting name="[^"<>]+" value="[^"<>]*"\s*\/>)+)\s*<\/settings>\s*$/.exec(
    authvalue
  );
  if (!match?.[1]) return null;
  const unescape = (v: string) =>
    v
      .replace(/&quot;/g, '"')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
  const headers: Record<string, string> = {};
  for (const setting of match[1].matchAll(/<setting name="([^"<>]+)" value="([^"<>]*)"/g)) {
    headers[unescape(setting[1]!)] = unescape(setting[2]!);
  }
  return headers;
}

const STEP_BINDS = ['eventhandler_serviceendpoint', 'eventhandler_plugintype', 'sdkmessageid', 'sdkmessagefilterid'];

/** An sdkmessageprocessingstep row that sends to a service endpoint. */
export function stepProblems(body: Body, creating: boolean): string[] {
  const problems = [
    ...maxLength(body, 'name', 256),
    ...maxLength(body, 'description', 256),
    ...bindProblems(body, creating ? ['eventhandler_serviceendpoint', 'sdkmessageid'] : [], STEP_BINDS),
  ];
  if (creating) {
    for (const field of ['name', 'stage', 'mode', 'rank', 'supporteddeployment']) {
      if (body[field] === undefined || body[field] === null) problems.push(`${field} is required`);
    }
  }
  if (body.stage !== undefined && ![10, 20, 40].includes(Number(body.stage))) {
    problems.push('stage must be 10 (pre-validation), 20 (pre-operation) or 40 (post-operation)');
  }
  if (body.mode !== undefined && ![0, 1].includes(Number(body.mode))) problems.push('mode must be 0 or 1');
  if (body.supporteddeployment !== undefined && ![0, 1, 2].includes(Number(body.supporteddeployment))) {
    problems.push('supporteddeployment must be 0, 1 or 2');
  }
  if (body.asyncautodelete === true && body.mode !== undefined && body.mode !== 1) {
    problems.push('asyncautodelete applies to asynchronous steps only');
  }
  if (body.statecode !== undefined && ![0, 1].includes(Number(body.statecode))) problems.push('statecode is 0 or 1');
  return problems;
}

/** An sdkmessageprocessingstepimage row. */
export function stepImageProblems(body: Body, creating: boolean): string[] {
  const problems = [
    ...['name', 'entityalias', 'messagepropertyname'].flatMap((field) => maxLength(body, field, 256)),
    ...bindProblems(body, creating ? ['sdkmessageprocessingstepid'] : [], ['sdkmessageprocessingstepid']),
  ];
  if (creating) {
    for (const field of ['name', 'entityalias', 'imagetype', 'messagepropertyname']) {
      if (body[field] === undefined || body[field] === null || body[field] === '')
        problems.push(`${field} is required`);
    }
  }
  if (body.imagetype !== undefined && ![0, 1, 2].includes(Number(body.imagetype))) {
    problems.push('imagetype must be 0 (pre), 1 (post) or 2 (both)');
  }
  return problems;
}
