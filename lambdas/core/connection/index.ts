/** The Xero connection: consent, token custody and refresh. */
export * from './types';
export * from './ports';
export * from './config';
export * from './signed-token';
export * from './memory-stores';
export * from './token-service';
export * from './worker-access-provider';
export * from './consent';
export * from './connect-link';
export * from './consent-pages';
export * from './consent-routes';
export * from './consent-binding';
export * from './consent-parking';
