/**
 * What `steward help` and `steward <command> --help` print: one spec per command, kept beside nothing
 * else so help never loads a command (and with it the AWS SDK).
 */
import { EXIT_CODE_HELP } from './exit-codes.ts';

export interface CommandHelp {
  /** The usage line after `steward `. */
  readonly synopsis: string;
  /** One line for the command list. */
  readonly summary: string;
  readonly description: readonly string[];
  /** `[option, what it does]`, in the order shown. */
  readonly options: readonly (readonly [string, string])[];
  /** What the exit codes mean for this command, beyond the common table. */
  readonly exits: string;
  /** `exits` is the whole story: the common table does not apply (plan's 1 is every error, a bug too). */
  readonly ownExitCodes?: boolean;
}

const HELP_OPTION = ['-h, --help', 'print this help and exit 0'] as const;

export const COMMAND_HELP = {
  check: {
    synopsis: 'check [--config DIR] [--json] [--against REV]',
    summary: 'validate the whole desired state in config/ offline',
    description: [
      'Loads config/settings.json and config/index.ts and checks every service, value, secret and flag',
      'against its schema and the policy. Needs no AWS access.',
    ],
    options: [
      ['--config DIR', 'the config directory (default: config)'],
      ['--json', 'print the findings as one JSON document on stdout'],
      [
        '--against REV',
        'also report breaking changes from the config/ of git revision REV (e.g. origin/main); desired values only',
      ],
      HELP_OPTION,
    ],
    exits:
      '0 no findings, 1 findings or unacknowledged breaking changes, 2 usage (no such directory, unknown revision), 3 settings or config/ (here or at REV) do not load',
  },
  apply: {
    synopsis: 'apply [--env E] [--config DIR] [--dry-run] [--rate N]',
    summary: 'write the desired plain parameters that differ from Parameter Store',
    description: [
      'The same core as the deploy-time reconcile: reads each environment once, writes only what differs,',
      'at a bounded rate; never deletes and never writes a SecureString. Progress on stderr when it is a terminal.',
    ],
    options: [
      ['--env E', 'only this environment (default: every environment of the settings)'],
      ['--config DIR', 'the config directory (default: config)'],
      ['--dry-run', 'print what would be written, write nothing'],
      ['--rate N', 'writes per second (default: 10)'],
      HELP_OPTION,
    ],
    exits: '0 applied (or nothing to do), 2 usage, 3 settings or config/ do not load, 4 AWS or network error',
  },
  plan: {
    synopsis: 'plan [--env E] [--config DIR] [--json | --format github] [--prefix P] [--deployer ARN...]',
    summary: 'what the next deploy would change, against live Parameter Store and AppConfig (read-only)',
    description: [
      'Per environment: each parameter the deploy would write, old -> new (secret and credential-like values',
      'as keyed fingerprints), who wrote the live value and when, marked where it undoes a console edit',
      'made since the last deploy; each document and flags document that differs from the deployed version,',
      'as a diff; the deployments that would start, with their strategy. Writes nothing. AppConfig ids from',
      'STEWARD_APPCONFIG when set, else found by name <prefix><service>.',
    ],
    options: [
      ['--env E', 'only this environment (default: every environment of the settings)'],
      ['--config DIR', 'the config directory (default: config)'],
      ['--json', 'print the plan as one JSON document on stdout'],
      ['--format github', 'print GitHub Actions annotations at the config/ lines (default: text)'],
      ['--prefix P', 'AppConfig application and strategy name prefix (default: none)'],
      [
        '--deployer ARN',
        'repeatable: a principal whose writes count as deploys, beside the stack reconcile role and STEWARD_RECONCILER_PRINCIPAL',
      ],
      HELP_OPTION,
    ],
    exits:
      '0 no change, 2 changes, 1 any error (usage, settings or config/, AWS or network, internal) -- unlike ' +
      'the other commands, as terraform plan -detailed-exitcode',
    ownExitCodes: true,
  },
  drift: {
    synopsis: 'drift [--env E] [--config DIR] [--json] [--file-tickets] [--flags [--prefix P]]',
    summary: 'the nightly drift run, locally: compare deployed and desired config',
    description: [
      'Read-only unless --file-tickets, which also files and resolves tickets and publishes the',
      'Config Drift Detected event. Progress on stderr when it is a terminal (never in the --json output).',
    ],
    options: [
      ['--env E', 'only this environment (default: every environment of the settings)'],
      ['--config DIR', 'the config directory (default: config)'],
      ['--json', 'print the report as one JSON document on stdout'],
      ['--file-tickets', 'file and resolve tickets and publish the event, as the nightly job does'],
      ['--flags', 'also compare the flags each environment serves (AppConfig) with config/'],
      ['--prefix P', 'with --flags: the AppConfig applications are named <P><service> (default: none)'],
      HELP_OPTION,
    ],
    exits:
      '0 no drift, 1 findings, 2 usage, 3 settings or config/ do not load, ' +
      '4 AWS or network error, or part of the deployed state could not be read (the report is printed too)',
  },
  flags: {
    synopsis:
      'flags [--config DIR] [--expired] [--json] [--today YYYY-MM-DD] [--live [--prefix P]]\n' +
      '       steward flags refs [--src DIR...] [--config DIR] [--json]',
    summary: 'feature flags, their age and what the expiry policy says; their references in code',
    description: [
      'Offline from config/ by default; --live reads the flag versions deployed last from AppConfig',
      '(ids from STEWARD_APPCONFIG when set, else applications found by name <prefix><service>).',
      '"flags refs" finds the flag keys passed as string literals to the client, context.flags (middy) and',
      'OpenFeature, lists the flags no code reads and fails on a reference to a flag config/ does not declare.',
    ],
    options: [
      ['--config DIR', 'the config directory (default: config)'],
      ['--expired', 'list only the expired flags'],
      ['--json', 'print the rows as one JSON document on stdout'],
      ['--today YYYY-MM-DD', 'judge as of this UTC day (default: today)'],
      ['--live', 'read the hosted flags from AppConfig instead of config/'],
      ['--prefix P', 'with --live: AppConfig application name prefix (default: none)'],
      [
        '--src DIR',
        'refs: a directory or file to scan, repeatable (default: flags.codeReferences.sources, else .)',
      ],
      HELP_OPTION,
    ],
    exits:
      '0 nothing needs cleanup (expiring-soon warnings alone), 1 a flag needs cleanup (refs: a reference ' +
      'to an unknown flag), 2 usage, 3 settings or config/ do not load, 4 AWS or network error (--live)',
  },
  invoke: {
    synopsis: 'invoke <handler> --event FILE [--template FILE | --settings FILE] [--timeout S]',
    summary: 'run a stack handler locally with the environment the stack gives it',
    description: [
      'Takes the function environment and timeout from the synthesized template (cdk.out/ConfigSteward.template.json',
      'or --template), naming the variables the template computes from resources (Ref, Fn::GetAtt) that',
      'cannot be known locally: set them in your environment to pass them. Without a template it derives',
      'the environment from the settings, and says so. The AppConfig ids are read from the parameters the',
      'template names (STEWARD_APPCONFIG_TARGETS_PATH) at AWS_ENDPOINT_URL, unless STEWARD_APPCONFIG and',
      'STEWARD_KILL_SWITCHES (JSON) are set in your environment. Prints the result or error as JSON on stdout, then',
      'one line per event published. Handlers: validate-change, appconfig-validator, drift-job,',
      'flag-expiry-job, rotate-secret, reconcile-parameters.',
    ],
    options: [
      ['--event FILE', 'the event (JSON) to invoke the handler with (required)'],
      [
        '--template FILE',
        'the synthesized template (default: cdk.out/ConfigSteward.template.json if it exists)',
      ],
      ['--settings FILE', 'derive the environment from this settings file instead of a template'],
      ['--timeout S', "the remaining time the context reports, in seconds (default: the function's timeout)"],
      HELP_OPTION,
    ],
    exits:
      '0 the handler returned, 1 the handler threw, 2 usage, 3 settings or template unusable ' +
      '(or the handler met a configuration error), 4 the handler failed on AWS or the network',
  },
  override: {
    synopsis:
      'override <parameter> <value> --reason TEXT --until TIME [--env E] [--approved-by PRINCIPAL] [--config DIR]',
    summary: 'break-glass: write one value now, audited, delivered all at once, honoured until it expires',
    description: [
      '<parameter> is a full name (/config/<env>/<service>/<key>) or <service>/<key> with --env. The value',
      "must pass its key's schema. Records the override as tags on the parameter, writes it, and publishes",
      'Config Override Applied. Until it expires deploys do not overwrite it and drift reports it as',
      '"override"; after, as "override-expired" until config/ holds the value. Refused requests write nothing.',
    ],
    options: [
      ['--reason TEXT', 'why (10–1,000 characters; an incident id helps); required'],
      [
        '--until TIME',
        'when it ends: 90m, 4h, 1d, or an ISO 8601 time with a zone; at most overrides.maxDurationHours',
      ],
      ['--env E', 'the environment, with <service>/<key>'],
      [
        '--approved-by PRINCIPAL',
        'the second principal who approved it: required in overrides.requireApprovalIn, recorded, not verified',
      ],
      ['--config DIR', 'the config directory (default: config)'],
      HELP_OPTION,
    ],
    exits:
      '0 written and announced, 2 usage or refused (nothing written), 3 settings or config/ do not load, 4 AWS or network error',
  },
  kill: {
    synopsis:
      'kill <service> <switch> --env E --reason TEXT [--until TIME] [--off] [--config DIR] [--prefix P] [--json]',
    summary: 'flip a kill switch in one environment, live in one step',
    description: [
      "Deploys a new version of the service's kill-switch profile all at once, with no bake, into the",
      "switches' own AppConfig environment (never queued behind a document rollout), publishes",
      'Kill Switch Flipped (actor from STS, reason, until) and files a ticket to bring config/ in line.',
      'Ids from STEWARD_KILL_SWITCHES (the stack output KillSwitchTargets) when set, else found by name.',
    ],
    options: [
      ['--env E', 'the environment (required)'],
      ['--reason TEXT', 'why, for the event, the ticket and the audit trail (required)'],
      [
        '--until TIME',
        'when it should be undone, ISO 8601 with a zone (e.g. 2026-12-01T18:00Z); drift reports it after',
      ],
      ['--off', 'turn the switch off again (restore normal operation)'],
      ['--config DIR', 'the config directory (default: config)'],
      ['--prefix P', 'AppConfig application name prefix, without STEWARD_KILL_SWITCHES (default: none)'],
      ['--json', 'print the Kill Switch Flipped detail as JSON on stdout'],
      HELP_OPTION,
    ],
    exits:
      '0 the switch is live, 2 usage (unknown service, switch or environment, not a kill switch, no reason, ' +
      '--until not in the future; nothing deployed), 3 settings or config/ do not load, 4 AWS or network error, ' +
      'a deployment running in the switches environment (nothing deployed), or the switch is live but its ticket or event failed',
  },
} as const satisfies Record<string, CommandHelp>;

export type CommandName = keyof typeof COMMAND_HELP;

export function isCommandName(name: string): name is CommandName {
  return Object.hasOwn(COMMAND_HELP, name);
}

/** `steward help` / `steward --help`: every command, the common options and the exit codes. */
export function generalHelp(): string {
  const names = Object.keys(COMMAND_HELP) as CommandName[];
  const width = Math.max(...names.map((n) => n.length));
  return [
    'usage: steward <command> [options]',
    '',
    'commands:',
    ...names.map((name) => `  ${name.padEnd(width)}  ${COMMAND_HELP[name].summary}`),
    `  ${'help'.padEnd(width)}  this text; "steward help <command>" or "steward <command> --help" for one command`,
    '',
    'AWS commands (apply, plan, drift, flags --live, invoke, kill, override) use the SDK defaults: AWS_REGION,',
    'AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, and AWS_ENDPOINT_URL for an emulator.',
    '',
    'exit codes:',
    ...EXIT_CODE_HELP.map((line) => `  ${line}`),
    '  plan alone: 0 no change, 2 changes, 1 any error (as terraform plan -detailed-exitcode)',
  ].join('\n');
}

/** `steward <command> --help`. */
export function commandHelp(name: CommandName): string {
  const help: CommandHelp = COMMAND_HELP[name];
  const width = Math.max(...help.options.map(([option]) => option.length));
  return [
    `usage: steward ${help.synopsis}`,
    '',
    `${help.summary}.`,
    ...help.description,
    '',
    'options:',
    ...help.options.map(([option, text]) => `  ${option.padEnd(width)}  ${text}`),
    '',
    `exit codes: ${help.exits}${help.ownExitCodes ? '' : '; 5 internal error (see "steward help")'}.`,
  ].join('\n');
}

/** The one usage line printed with a usage error. */
export function usageLine(name: CommandName): string {
  return `usage: steward ${COMMAND_HELP[name].synopsis}\nrun "steward ${name} --help" for the options`;
}
