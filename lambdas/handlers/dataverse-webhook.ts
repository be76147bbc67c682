// Placeholder so the CDK app can bundle; the real handler replaces this file at merge.
export const handler = async (): Promise<never> => {
  throw new Error('not implemented');
};
