import { CfnResource, Stack, Stage, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** One acknowledgement found on the construct tree. */
export interface AcknowledgementRecord {
  readonly path: string;
  readonly id: string;
  readonly reason: string;
  readonly construct: IConstruct;
}

/** Words that are not a reason a reviewer can check. */
const PLACEHOLDERS = [
  'ok',
  'okay',
  'todo',
  'tbd',
  'n/a',
  'na',
  'none',
  'not needed',
  'not required',
  'ignore',
  'ignored',
  'fine',
  'suppressed',
  'false positive',
  'known issue',
  'by design',
  'acknowledged',
];

/** The shortest reason that can say what is accepted and why. */
export const MIN_REASON_WORDS = 8;

/** Every acknowledgement recorded with `Validations.of(x).acknowledge()` under `root`. */
export function collectAcknowledgements(root: IConstruct): AcknowledgementRecord[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) =>
        Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          // aws-cdk-lib prefixes annotation namespaces on some versions.
          id: id.replace(/^annotation::/i, ''),
          reason,
          construct,
        })),
      ),
  );
}

/**
 * What is wrong with the acknowledgements under `root`: a reason that is not a
 * real sentence or is a placeholder, a rule silenced on a stack, stage or app
 * (or on any construct that holds more than one resource), or an id no
 * registered pack has.
 */
export function acknowledgementProblems(
  root: IConstruct,
  knownPrefixes: readonly string[],
): string[] {
  const problems: string[] = [];
  for (const ack of collectAcknowledgements(root)) {
    const where = `${ack.id} on ${ack.path || '<app>'}`;
    const reason = ack.reason.trim();
    const words = reason.split(/\s+/).filter(Boolean);
    if (PLACEHOLDERS.includes(reason.toLowerCase().replace(/[.!]+$/, ''))) {
      problems.push(
        `${where}: reason '${reason}' is a placeholder; say why the finding does not apply`,
      );
    } else if (words.length < MIN_REASON_WORDS) {
      problems.push(
        `${where}: reason '${reason}' has ${words.length} words; write a sentence of at least ${MIN_REASON_WORDS} that a reviewer can check`,
      );
    }
    if (Stage.isStage(ack.construct) || Stack.isStack(ack.construct)) {
      problems.push(
        `${where}: a whole rule is silenced at ${Stack.isStack(ack.construct) ? 'stack' : 'app'} level; acknowledge it on the resource`,
      );
    } else if (ack.construct.node.findAll().filter(CfnResource.isCfnResource).length > 1) {
      problems.push(
        `${where}: acknowledged on a construct that holds several resources; acknowledge it on the CloudFormation resource`,
      );
    }
    if (!knownPrefixes.some((p) => ack.id.startsWith(`${p}-`) || ack.id.startsWith(`${p}::`))) {
      problems.push(
        `${where}: no registered pack has this rule id (known: ${knownPrefixes.join(', ')})`,
      );
    }
  }
  return problems;
}
