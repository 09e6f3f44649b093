/**
 * How `steward plan` prints a plan: text for a terminal, one JSON document (`--json`, its shape
 * versioned by `planFormat`), or GitHub Actions workflow annotations (`--format github`). Every value
 * printed is the plan's: plain only where `mayShowValues` allowed it, else a keyed fingerprint.
 */
import type { EnvironmentPlan, Plan, PlannedDocument } from '../../core/plan/plan.ts';
import type { PlannedWrite } from '../../core/plan/parameter-plan.ts';
import type { ConfigSourceLines, SourceLine } from './plan-source-lines.ts';

/** The `--json` shape's version: raised when a field changes meaning or goes away, not when one is added. */
export const PLAN_JSON_FORMAT = 1;

/** Text for a terminal: per environment, the writes, what is left in place, the diffs and the deployments. */
export function renderPlanText(plan: Plan): string[] {
  const lines: string[] = [];
  for (const env of plan.environments) {
    const last = env.lastDeploy
      ? `last deploy ${env.lastDeploy.at.toISOString()} by ${env.lastDeploy.by}`
      : 'no deploy recorded in Parameter Store';
    lines.push(`${env.environment} (${last}):`);
    for (const write of env.writes) {
      lines.push(`  ${write.action === 'create' ? '+' : '~'} ${write.name}: ${change(write)}`);
      if (write.old) lines.push(`      live version ${write.old.version}, ${writtenBy(write.old)}`);
      if (write.overwritesConsoleEdit) {
        lines.push('      ! overwrites a console edit made since the last deploy');
      }
    }
    for (const left of env.left) {
      lines.push(`  = ${left.name}: declared by no service; left in place (the deploy never deletes)`);
    }
    for (const document of env.documents) {
      lines.push(`  ${documentTitle(document)}:`);
      lines.push(...document.diff.split('\n').map((line) => `    ${line}`));
    }
    for (const d of env.deployments) {
      lines.push(
        `  deployment: ${d.service} ${d.profile} with ${d.strategy} ` +
          `(${d.growthType} ${d.growthFactor}%, ${d.deploymentDurationInMinutes} min + ${d.finalBakeTimeInMinutes} min bake)`,
      );
    }
    lines.push(`  ${summary(env)}`);
  }
  lines.push(planSummary(plan));
  return lines;
}

/** Said on stderr in every format: a service AppConfig does not know, most often a wrong `--prefix`. */
export function planWarnings(plan: Plan, namePrefix: string): string[] {
  return plan.servicesNotInAppConfig.map(
    (service) =>
      `steward plan: no AppConfig application "${namePrefix}${service}": its documents show as created ` +
      '(right before its first deploy; otherwise check --prefix or STEWARD_APPCONFIG)',
  );
}

/** The last line of every format: how many changes, in which environments. */
export function planSummary(plan: Plan): string {
  const changes =
    plan.changes === 0 ? 'no changes' : `${plan.changes} change${plan.changes === 1 ? '' : 's'}`;
  return `steward plan: ${changes} in ${plan.environments.map((e) => e.environment).join(', ')}`;
}

/**
 * The plan as one JSON document (dates as ISO strings, absent fields as null), with the config/ line
 * of each write when `sources` finds it.
 */
export function renderPlanJson(plan: Plan, sources?: ConfigSourceLines): string {
  return JSON.stringify(
    {
      planFormat: PLAN_JSON_FORMAT,
      changes: plan.changes,
      servicesNotInAppConfig: plan.servicesNotInAppConfig,
      environments: plan.environments.map((env) => ({
        environment: env.environment,
        lastDeploy: env.lastDeploy ? { at: env.lastDeploy.at.toISOString(), by: env.lastDeploy.by } : null,
        parameters: env.writes.map((write) => ({
          action: write.action,
          name: write.name,
          service: write.service,
          key: write.key,
          values: write.values,
          old: write.old
            ? {
                value: write.old.value,
                type: write.old.type,
                version: write.old.version,
                lastModifiedUser: write.old.lastModifiedUser ?? null,
                lastModifiedDate: write.old.lastModifiedDate?.toISOString() ?? null,
              }
            : null,
          new: { value: write.new.value, type: write.new.type },
          overwritesConsoleEdit: write.overwritesConsoleEdit,
          source: sources?.ofKey(write.service, write.key, env.environment) ?? null,
        })),
        leftInPlace: env.left.map((left) => ({
          name: left.name,
          lastModifiedUser: left.lastModifiedUser ?? null,
          lastModifiedDate: left.lastModifiedDate?.toISOString() ?? null,
        })),
        unchangedParameters: env.unchangedParameters,
        documents: env.documents.map((document) => ({
          service: document.service,
          profile: document.profile,
          action: document.action,
          deployed: document.deployed
            ? {
                deploymentNumber: document.deployed.deploymentNumber,
                configurationVersion: document.deployed.configurationVersion,
                versionLabel: document.deployed.versionLabel ?? null,
                state: document.deployed.state,
                startedAt: document.deployed.startedAt?.toISOString() ?? null,
              }
            : null,
          added: document.added,
          removed: document.removed,
          diff: document.diff,
        })),
        unchangedDocuments: env.unchangedDocuments,
        deployments: env.deployments,
        rolloutMinutes: env.rolloutMinutes,
      })),
    },
    null,
    2,
  );
}

/**
 * GitHub Actions workflow commands: a `::notice` per write and per changed document, a `::warning`
 * for a write that undoes a console edit, each at the config/ line that causes it when known; then
 * the summary as a plain line.
 */
export function renderPlanGithub(plan: Plan, sources: ConfigSourceLines): string[] {
  const lines: string[] = [];
  for (const env of plan.environments) {
    const title = `steward plan: ${env.environment}`;
    for (const write of env.writes) {
      const where = sources.ofKey(write.service, write.key, env.environment);
      const text = `${write.action} ${write.name}: ${change(write)}`;
      if (write.overwritesConsoleEdit && write.old) {
        lines.push(
          annotation(
            'warning',
            where,
            title,
            `${text}; overwrites a console edit (${writtenBy(write.old)}) made since the last deploy`,
          ),
        );
      } else {
        lines.push(annotation('notice', where, title, text));
      }
    }
    for (const document of env.documents) {
      const where = sources.ofService(document.service);
      const deployment = env.deployments.find(
        (d) => d.service === document.service && d.profile === document.profile,
      );
      const rollout = deployment
        ? `\nstarts a deployment with ${deployment.strategy}: ${deployment.deploymentDurationInMinutes} min + ${deployment.finalBakeTimeInMinutes} min bake`
        : '';
      lines.push(
        annotation('notice', where, title, `${documentTitle(document)}${rollout}\n${document.diff}`),
      );
    }
  }
  lines.push(planSummary(plan));
  return lines;
}

function change(write: PlannedWrite): string {
  const shown = (value: string) =>
    write.values === 'plain' ? JSON.stringify(value) : shortFingerprint(value);
  const type =
    write.old && write.old.type !== write.new.type ? ` (${write.old.type} → ${write.new.type})` : '';
  return write.old ? `${shown(write.old.value)} → ${shown(write.new.value)}${type}` : shown(write.new.value);
}

/** `hmac-sha256:` and 12 hex digits tell two values apart; the full fingerprint is in --json. */
function shortFingerprint(fingerprint: string): string {
  return `${fingerprint.slice(0, 24)}…`;
}

function writtenBy(old: { lastModifiedUser?: string; lastModifiedDate?: Date }): string {
  return `written by ${old.lastModifiedUser ?? 'an unknown principal'} at ${old.lastModifiedDate?.toISOString() ?? 'an unknown time'}`;
}

function documentTitle(document: PlannedDocument): string {
  const from = document.deployed
    ? `deployed version ${document.deployed.configurationVersion} (deployment ${document.deployed.deploymentNumber}, ${document.deployed.state})`
    : 'nothing deployed yet';
  return `${document.service} ${document.profile} changes: +${document.added} -${document.removed} lines against ${from}`;
}

function summary(env: EnvironmentPlan): string {
  const overwrites = env.writes.filter((w) => w.overwritesConsoleEdit).length;
  return (
    `${env.environment}: ${env.writes.length} to write` +
    (overwrites > 0 ? ` (${overwrites} overwriting console edits)` : '') +
    `, ${env.unchangedParameters} unchanged, ${env.left.length} left in place; ` +
    `${env.documents.length} document${env.documents.length === 1 ? '' : 's'} to deploy, ${env.unchangedDocuments} unchanged` +
    (env.deployments.length > 0 ? `; rollout about ${env.rolloutMinutes} min` : '')
  );
}

/** One workflow command, its data and properties escaped as GitHub's toolkit escapes them. */
function annotation(
  level: 'notice' | 'warning',
  where: SourceLine | undefined,
  title: string,
  message: string,
): string {
  const properties = [
    ...(where ? [`file=${escapeProperty(where.file)}`] : []),
    ...(where?.line !== undefined ? [`line=${where.line}`] : []),
    `title=${escapeProperty(title)}`,
  ].join(',');
  return `::${level} ${properties}::${escapeData(message)}`;
}

function escapeData(text: string): string {
  return text.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
}

function escapeProperty(text: string): string {
  return escapeData(text).replaceAll(':', '%3A').replaceAll(',', '%2C');
}
