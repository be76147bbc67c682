export * from './webhook-tables';
export * from './webhook-plan';
export * from './integration-schema';
export * from './integration-log-row';
