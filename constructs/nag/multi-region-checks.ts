import { CfnResource, Duration } from 'aws-cdk-lib';
import { NagMessageLevel, NagPack, NagPackProps, NagRuleResult } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { LAG_METRICS, MULTI_REGION_PACK } from '../contract';
import {
  DEFAULT_HEALTH_SIGNAL_CACHE_TTL,
  DEFAULT_PROMOTION_ESTIMATE,
} from '../recovery-objectives';
import { dataResidency } from './rules/data-residency';
import { engineVersionConsistent } from './rules/engine-version-consistent';
import { healthCheckFastDetection } from './rules/health-check-fast-detection';
import { memberProtected } from './rules/member-protected';
import { memberRegionalKey } from './rules/member-regional-key';
import { routedRecordTtlAndHealthCheck } from './rules/routed-record-ttl';
import { rtoFloorWithinObjective } from './rules/rto-floor-within-objective';
import { secondaryLagAlarms } from './rules/secondary-lag-alarms';
import { secretReplicatedToMemberRegions } from './rules/secret-replicated';

/** App-wide facts the multi-region rules need beyond single resources. */
export interface MultiRegionChecksProps extends NagPackProps {
  /**
   * Data-residency allow-list.
   *
   * @default - the residency rule is not applied
   */
  readonly allowedRegions?: readonly string[];
  /**
   * Recovery time objective.
   *
   * @default - the RTO rule is not applied
   */
  readonly rto?: Duration;
  /**
   * Promotion estimate used in the RTO floor.
   *
   * @default DEFAULT_PROMOTION_ESTIMATE (2 minutes)
   */
  readonly promotionEstimate?: Duration;
  /**
   * Health-signal cache of the regional service, part of the RTO floors: pass
   * the service's `RegionalService.healthSignalCacheTtl` (the app passes the
   * one its routing stack computed the floors with).
   *
   * @default DEFAULT_HEALTH_SIGNAL_CACHE_TTL (5 seconds, the service's default)
   */
  readonly healthSignalCacheTtl?: Duration;
}

interface RuleSpec {
  readonly id: string;
  readonly info: string;
  readonly explanation: string;
  readonly rule: (node: CfnResource) => NagRuleResult;
}

/**
 * The project's own cdk-nag pack: what makes a multi-region setup real, which
 * no single-resource pack can see. Every rule is a small pure function in
 * `rules/`, named after its file.
 */
export class MultiRegionChecks extends NagPack {
  /** Every rule id of this pack. */
  static readonly RULE_IDS = [
    'RoutedRecordTtlAndHealthCheck',
    'HealthCheckFastDetection',
    'MemberRegionalKey',
    'MemberProtected',
    'SecondaryLagAlarms',
    'SecretReplicatedToMemberRegions',
    'DataResidency',
    'RtoFloorWithinObjective',
    'EngineVersionConsistent',
  ].map((id) => `${MULTI_REGION_PACK}-${id}`);

  private readonly rules: readonly RuleSpec[];

  constructor(scope?: IConstruct, props: MultiRegionChecksProps = {}) {
    super(scope, props);
    this.packName = MULTI_REGION_PACK;
    const rtoFacts = {
      rto: props.rto,
      promotionEstimate: props.promotionEstimate ?? DEFAULT_PROMOTION_ESTIMATE,
      healthSignalCacheTtl: props.healthSignalCacheTtl ?? DEFAULT_HEALTH_SIGNAL_CACHE_TTL,
    };
    this.rules = [
      {
        id: 'RoutedRecordTtlAndHealthCheck',
        info: 'A failover or latency record is an alias, has a TTL over 60 s, or has no health check.',
        explanation:
          "Resolvers keep an answer for its TTL, so a TTL over 60 s delays every failover by that much; an alias record's TTL cannot be set; a routed record without a health check never moves. Use a plain record (CNAME) with TTL <= 60 and a HealthCheckId.",
        rule: routedRecordTtlAndHealthCheck,
      },
      {
        id: 'HealthCheckFastDetection',
        info: 'A Route 53 endpoint health check does not poll every 10 s or tolerates more than 3 failures.',
        explanation:
          'Detection time is interval x failure threshold; 10 s x 3 keeps it at 30 s. Set RequestInterval 10 and FailureThreshold <= 3.',
        rule: healthCheckFastDetection,
      },
      {
        id: 'MemberRegionalKey',
        info: 'A global-database member is not storage-encrypted with a customer-managed key in its own region.',
        explanation:
          "Each region must be able to open its own data when every other region is down. Set StorageEncrypted and a KmsKeyId of this region's key.",
        rule: memberRegionalKey,
      },
      {
        id: 'MemberProtected',
        info: 'A global-database member lacks deletion protection or a Snapshot/Retain policy.',
        explanation:
          'A member holds (or after a switchover is) the production writer. Set DeletionProtection and DeletionPolicy/UpdateReplacePolicy Snapshot or Retain.',
        rule: memberProtected,
      },
      {
        id: 'SecondaryLagAlarms',
        info: 'A secondary cluster has no replication-lag or RPO-lag alarm with actions.',
        explanation: `${LAG_METRICS.replication} and ${LAG_METRICS.rpo} exist only in the secondary's region; without alarms an RPO breach goes unseen. Add alarms with AlarmActions in the secondary's stack (ReplicationLagAlarms).`,
        rule: secondaryLagAlarms,
      },
      {
        id: 'SecretReplicatedToMemberRegions',
        info: 'The master secret of a global database is not replicated to every region that holds a member.',
        explanation:
          "After a regional failure the promoted region needs the credentials locally. Add every member region to the secret's ReplicaRegions, each with that region's key.",
        rule: secretReplicatedToMemberRegions,
      },
      {
        id: 'DataResidency',
        info: 'A cluster, secret, secret replica or backup copy is placed outside the data-residency allow-list.',
        explanation:
          'Residency rules (for example GDPR for EU personal data) bind every copy of the data. Move the resource into an allowed region or change topology.allowedRegions.',
        rule: (node) => dataResidency(node, props.allowedRegions),
      },
      {
        id: 'RtoFloorWithinObjective',
        info: "The RTO floor of a routed record's path (read or write), computed from its health check, TTL and CNAME hops, exceeds the RTO objective.",
        explanation:
          'Read path = interval x threshold + health signal cache + TTL per hop; write path (a writer health check) adds the promotion estimate. Shorten the interval, threshold or TTL, or raise topology.rto.',
        rule: (node) => rtoFloorWithinObjective(node, rtoFacts),
      },
      {
        id: 'EngineVersionConsistent',
        info: 'Global-database members state different (or unpinned) engine versions.',
        explanation:
          'Aurora requires the same engine version across a global database for switchover. Pin one EngineVersion in every region.',
        rule: engineVersionConsistent,
      },
    ];
  }

  override get name(): string {
    return MULTI_REGION_PACK;
  }

  protected checkResource(node: CfnResource): void {
    for (const spec of this.rules) {
      this.applyRule({
        ruleSuffixOverride: spec.id,
        info: spec.info,
        explanation: spec.explanation,
        level: NagMessageLevel.ERROR,
        node,
        rule: spec.rule,
      });
    }
  }
}
