/** Architecture boundaries (DESIGN.md): the domain core stays pure, adapters are the only AWS door. */
module.exports = {
  forbidden: [
    {
      name: 'core-is-pure',
      comment:
        'functions/core may not import the AWS SDK, middy, Powertools or aws-lambda types: it is tested with in-memory ports.',
      severity: 'error',
      from: { path: '^functions/core' },
      to: {
        path: [
          '@aws-sdk',
          '@middy',
          '@aws-lambda-powertools',
          'aws-lambda',
          'node_modules/pg',
          'aws-cdk-lib',
        ],
        dependencyTypes: [
          'npm',
          'npm-dev',
          'npm-peer',
          'npm-optional',
          'type-only',
          'aliased',
          'unknown',
          'undetermined',
          'local',
          'core',
        ],
      },
    },
    {
      name: 'core-not-outwards',
      comment:
        'The core depends on nothing of the outer layers. Exception: the flag-rule language (@config-steward/client/rules), a pure module the core checks rules with so `steward check`, the validator and the client read rules one way.',
      severity: 'error',
      from: { path: '^functions/core' },
      to: {
        path: '^(functions/(adapters|handlers|cli)|packages/client|lib|bin)/',
        pathNot: '^packages/client/(src|dist)/rules\\.(ts|js|d\\.ts)$',
      },
    },
    {
      name: 'ports-are-interfaces',
      comment: 'Ports describe capabilities; they import only the core.',
      severity: 'error',
      from: { path: '^functions/ports' },
      to: { path: ['@aws-sdk', '@middy', '^functions/(adapters|handlers|cli)/'] },
    },
    {
      name: 'sdk-only-in-adapters',
      comment: 'Only adapters (and handlers composing them, the CLI, and the CDK app) talk to AWS.',
      severity: 'error',
      from: { path: '^(functions/(core|ports)|packages/client/src)' },
      to: { path: '@aws-sdk' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
  },
};
