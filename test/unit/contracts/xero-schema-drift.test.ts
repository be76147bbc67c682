import { readFileSync } from 'node:fs';
import {
  buildXeroSchema,
  generateFromRepoFiles,
  GENERATED_SCHEMA,
  readSchemaSource,
} from '../../../scripts/generate-xero-schema';

describe('generated Xero schema', () => {
  it('should equal a fresh generation from the committed OpenAPI contract (run the generator if this fails)', () => {
    const committed: unknown = JSON.parse(readFileSync(GENERATED_SCHEMA, 'utf8'));
    expect(committed).toEqual(generateFromRepoFiles());
  });

  it('should read only info and components, drop documentation keywords and keep property names that look like keywords', () => {
    const yaml = [
      'openapi: 3.0.0',
      'info: { title: T, version: 9.9.9 }',
      'paths:',
      '  /Things: { get: [never parsed because only info and components are read',
      'components:',
      '  schemas:',
      '    Thing:',
      '      description: docs only',
      '      externalDocs: { url: "https://example.invalid" }',
      '      type: object',
      '      required: [description]',
      '      properties:',
      '        description: { type: string, maxLength: 4, description: "a field called description" }',
      '        Kind: { type: string, enum: [A, B], example: A }',
      '        Other: { $ref: "#/components/schemas/Other" }',
      '    Other: { type: object, properties: { Amount: { type: number, format: double } } }',
    ].join('\n');
    const schema = buildXeroSchema(yaml, readSchemaSource('abc123 2026-01-01\nowner/repo'));
    expect(schema['x-generated-from']).toMatchObject({ version: '9.9.9', commit: 'abc123', repository: 'owner/repo' });
    expect(schema.$defs).toEqual({
      Other: {
        type: 'object',
        properties: { Amount: { type: 'number', format: 'double' } },
        additionalProperties: false,
      },
      Thing: {
        type: 'object',
        required: ['description'],
        properties: {
          description: { type: 'string', maxLength: 4 },
          Kind: { type: 'string', enum: ['A', 'B'] },
          Other: { $ref: '#/$defs/Other' },
        },
        additionalProperties: false,
      },
    });
  });
});
