/**
 * Architecture boundaries (DESIGN.md): the domain core stays pure, adapters are the only AWS door, the
 * CDK app and the client package stay out of the Lambda code they do not ship.
 */
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
        path: '^(functions/(adapters|handlers|runtime|cli)|packages/client|lib|bin)/',
        pathNot: '^packages/client/(src|dist)/rules\\.(ts|js|d\\.ts)$',
      },
    },
    {
      name: 'ports-are-interfaces',
      comment: 'Ports describe capabilities; they import only the core.',
      severity: 'error',
      from: { path: '^functions/ports' },
      to: { path: ['@aws-sdk', '@middy', '^functions/(adapters|handlers|runtime|cli)/'] },
    },
    {
      name: 'ports-take-core-types-only',
      comment:
        'A port names core types; it runs no core code (its errors, in <port>.errors.ts, are the exception).',
      severity: 'error',
      from: { path: '^functions/ports/', pathNot: '(\\.errors|/adapter-error)\\.ts$' },
      to: { path: '^functions/core/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'port-errors-extend-steward-error',
      comment: 'Port errors take only the base error class from the core.',
      severity: 'error',
      from: { path: '(\\.errors|/adapter-error)\\.ts$' },
      to: { path: '^functions/core/', pathNot: '^functions/core/errors\\.ts$' },
    },
    {
      name: 'sdk-only-in-adapters',
      comment: 'Only adapters (and handlers composing them, the CLI, and the CDK app) talk to AWS.',
      severity: 'error',
      from: { path: '^(functions/(core|ports)|packages/client/src)' },
      to: { path: '@aws-sdk' },
    },
    {
      name: 'lib-not-adapters',
      comment:
        'The CDK app names handlers by path and shares contracts through functions/core: importing an adapter ' +
        '(or a handler) would load the AWS SDK at synth for a constant.',
      severity: 'error',
      from: { path: '^lib/' },
      to: { path: '^functions/(adapters|handlers|runtime)/' },
    },
    {
      name: 'client-package-self-contained',
      comment: 'The consumer library is published on its own: nothing under functions/ ships with it.',
      severity: 'error',
      from: { path: '^packages/client/src/' },
      to: { path: '^functions/' },
    },
    {
      name: 'bin-only-entries',
      comment:
        'bin/ holds entry points only: the CDK app builds from lib/, the steward command runs functions/cli/.',
      severity: 'error',
      from: { path: '^bin/' },
      to: { pathNot: '^(lib|functions/cli)/|node_modules', dependencyTypesNot: ['core'] },
    },
    {
      name: 'cdk-nag-public-api',
      comment: "Only cdk-nag's package entry: its internals (cdk-nag/lib/utils/...) change without notice.",
      severity: 'error',
      from: {},
      to: { path: 'node_modules/cdk-nag/', pathNot: 'node_modules/cdk-nag/lib/index\\.(js|d\\.ts)$' },
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
