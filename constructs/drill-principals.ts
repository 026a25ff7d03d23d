import { Token } from 'aws-cdk-lib';

/**
 * How a principal proves a second factor before it may assume a drill role.
 *
 * - `identity-center`: an IAM Identity Center permission-set role. Its sessions come from SAML
 *   federation, which carries no MFA context ("For AssumeRoleWithWebIdentity and
 *   AssumeRoleWithSAML, the user is authenticated by an external provider and AWS cannot
 *   determine whether that provider required MFA": IAM User Guide, Secure API access with MFA,
 *   Important points about MFA-protected API access). Identity Center (or its external IdP)
 *   enforces MFA at sign-in instead (IAM Identity Center User Guide, Prompt users for MFA).
 * - `iam-user` and `iam-role`: must present MFA when they call AssumeRole
 *   (`aws:MultiFactorAuthPresent`).
 */
export type DrillPrincipalKind = 'identity-center' | 'iam-user' | 'iam-role';

/** One validated entry of a drill role's principal list. */
export interface DrillPrincipal {
  /** The `aws:PrincipalArn` pattern (ArnLike: `*` and `?` wildcards). */
  readonly pattern: string;
  /** The account the pattern names (the trust policy's `Principal` is its root, with conditions). */
  readonly account: string;
  readonly kind: DrillPrincipalKind;
}

/**
 * Path of every role IAM Identity Center creates for a permission set.
 *
 * @see https://docs.aws.amazon.com/singlesignon/latest/userguide/referencingpermissionsets.html
 */
const IDENTITY_CENTER_PATH = 'role/aws-reserved/sso.amazonaws.com/';

/** Permission set whose roles may run drills, when nothing else is configured. */
export const DEFAULT_OPERATOR_PERMISSION_SET = 'DrillOperator';
/** Permission set whose roles may run the data-losing failover, when nothing else is configured. */
export const DEFAULT_FAILOVER_PERMISSION_SET = 'DrillFailover';

const EXAMPLE = `'arn:aws:iam::123456789012:${IDENTITY_CENTER_PATH}*/AWSReservedSSO_${DEFAULT_OPERATOR_PERMISSION_SET}_*'`;

/**
 * The `aws:PrincipalArn` patterns of one IAM Identity Center permission set's roles in an account.
 *
 * Identity Center names the role `AWSReservedSSO_<permission set>_<unique suffix>` and puts it
 * under `aws-reserved/sso.amazonaws.com/<region>/`, without the region when the identity source
 * is in us-east-1; the suffix changes whenever the permission set is assigned again (IAM Identity
 * Center User Guide, Referencing permission sets in resource policies). Hence two patterns, each
 * with a wildcard suffix.
 */
export function identityCenterPrincipals(
  partition: string,
  account: string,
  permissionSet: string,
): string[] {
  const prefix = `arn:${partition}:iam::${account}:${IDENTITY_CENTER_PATH}`;
  const name = `AWSReservedSSO_${permissionSet}_*`;
  return [`${prefix}${name}`, `${prefix}*/${name}`];
}

/**
 * Parses one principal pattern, or says what is wrong with it (`field` names it in the message).
 *
 * Unresolved tokens (a stack's own account or partition) are accepted as they are.
 */
export function parseDrillPrincipal(
  field: string,
  pattern: string,
  partition?: string,
): { principal: DrillPrincipal } | { problem: string } {
  const fail = (why: string) => ({ problem: `${field}: ${why}, got: '${pattern}'` });
  const match = /^arn:([^:]*):([^:]*):([^:]*):([^:]*):(.*)$/.exec(pattern);
  if (Token.isUnresolved(pattern)) {
    return { principal: { pattern, account: match?.[4] ?? '', kind: kindOf(match?.[5] ?? '') } };
  }
  if (!match || match[2] !== 'iam' || match[3] !== '') {
    return fail(`must be the ARN (or ArnLike pattern) of an IAM role or user, such as ${EXAMPLE}`);
  }
  const [, arnPartition, , , account, resource] = match;
  if (resource === 'root') {
    return fail(
      'the account root would let every principal of the account that may call sts:AssumeRole assume the role; name roles or users',
    );
  }
  if (partition !== undefined && arnPartition !== partition) {
    return fail(`must be in the partition of the regions ('${partition}')`);
  }
  if (!/^\d{12}$/.test(account)) {
    return fail('must name a 12-digit account id, without wildcards');
  }
  const resourceMatch = /^(role|user)\/([\w+=,.@\-/*?]+)$/.exec(resource);
  if (!resourceMatch) {
    return fail(
      "must name 'role/<path/name>' or 'user/<path/name>' (letters, digits, +=,.@_- and / with * or ? wildcards)",
    );
  }
  const name = resource.slice(resource.lastIndexOf('/') + 1);
  if (resource.startsWith(IDENTITY_CENTER_PATH)) {
    // A wildcard in the permission set name would let other permission sets in.
    if (!/^AWSReservedSSO_[\w+=,.@-]+_\*$/.test(name)) {
      return fail(
        "must end in 'AWSReservedSSO_<permission set name>_*' with the permission set spelled out, because Identity Center appends a changing suffix",
      );
    }
  } else if (!/[^*?]/.test(name)) {
    return fail(`matches every ${resourceMatch[1]} of its path; name the ${resourceMatch[1]}`);
  }
  return { principal: { pattern, account, kind: kindOf(resource) } };
}

function kindOf(resource: string): DrillPrincipalKind {
  if (resource.startsWith(IDENTITY_CENTER_PATH)) return 'identity-center';
  return resource.startsWith('user/') ? 'iam-user' : 'iam-role';
}

/**
 * Parses a drill role's principal list; problems name `field[i]` and the value.
 *
 * @param defaultPermissionSet the permission set trusted when the list is left out (for the hint)
 */
export function parseDrillPrincipals(
  field: string,
  patterns: readonly string[],
  defaultPermissionSet: string,
  partition?: string,
): { readonly principals: DrillPrincipal[]; readonly problems: string[] } {
  const principals: DrillPrincipal[] = [];
  const problems: string[] = [];
  if (patterns.length === 0) {
    problems.push(
      `${field}: must name at least one principal; leave it out to trust the ${defaultPermissionSet} Identity Center permission set`,
    );
  }
  patterns.forEach((pattern, i) => {
    const parsed = parseDrillPrincipal(`${field}[${i}]`, pattern, partition);
    if ('problem' in parsed) problems.push(parsed.problem);
    else principals.push(parsed.principal);
  });
  return { principals, problems };
}
