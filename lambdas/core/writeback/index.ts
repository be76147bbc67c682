export * from './columns';
export * from './ports';
export * from './writeback-values';
export * from './apply-invoice';
export * from './apply-xero-invoice-events';
export * from './poll-invoices';
export * from './memory-checkpoint-store';
