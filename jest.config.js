/**
 * Test tiers by folder: unit (pure + adapters against local fakes), infra (CDK templates), e2e (HTTP, sandbox),
 * aws (the synthesized stack's functions against moto, the AWS API emulator).
 */
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.json' }];
const base = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': tsJest },
  moduleFileExtensions: ['ts', 'js', 'json'],
};
module.exports = {
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    { ...base, displayName: 'infra', testMatch: ['<rootDir>/test/infra/**/*.test.ts'] },
    { ...base, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'] },
    {
      ...base,
      displayName: 'aws',
      testMatch: ['<rootDir>/test/aws/**/*.test.ts'],
      // `cdk synth` with bundling, once per source tree (cached): the stack every AWS-tier file runs.
      globalSetup: '<rootDir>/test/helpers/aws-global-setup.ts',
    },
  ],
};
