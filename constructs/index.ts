// The package's public entry point (package.json `exports`): the constructs, their props and
// the few values a consumer passes to them. Helpers the constructs share (acknowledgements,
// member basics, nag rule functions, the compliance report) stay importable from their own
// files inside this repository but are not part of the package's API.
// test/package/public-api.test.ts lists every runtime export: add a name there when you make
// it public.
export { RegionalDataKey, type RegionalDataKeyProps } from './regional-data-key';
export { RegionalNetwork, type RegionalNetworkProps } from './regional-network';
export {
  AuroraGlobalMember,
  type AuroraGlobalMemberAttributes,
  type AuroraGlobalMemberIdentity,
  type AuroraGlobalMemberProps,
  type IAuroraGlobalMember,
} from './aurora-global-member';
export { AuroraGlobalPrimary, type AuroraGlobalPrimaryProps } from './aurora-global-primary';
export { AuroraGlobalSecondary, type AuroraGlobalSecondaryProps } from './aurora-global-secondary';
export { DatabaseSecretHost, type DatabaseSecretHostProps } from './secret-host';
export { SecretRotationAlarms, type SecretRotationAlarmsProps } from './secret-rotation-alarms';
export { RegionPeering, type PeerNetworkAttributes, type RegionPeeringProps } from './vpc-peering';
export { ClusterBackup, type ClusterBackupProps } from './cluster-backup';
export { AlarmTopic, type AlarmTopicProps } from './alarm-topic';
export {
  serviceHostnames,
  type ServiceHostnameLabels,
  type ServiceHostnames,
} from './service-hostnames';
export {
  DEFAULT_HEALTH_SIGNAL_CACHE_TTL,
  DEFAULT_PROMOTION_ESTIMATE,
  computeRtoFloors,
  type PathRtoFloor,
  type RtoFloorInputs,
  type RtoFloors,
} from './recovery-objectives';
export { DEFAULT_TIMING_POLICY, timingPolicy, type TimingPolicy } from './timing-policy';
export {
  HEALTH_PATHS,
  RegionalService,
  type HealthProbeTimeouts,
  type RegionalServiceProps,
} from './regional-service';
export { DatabaseSchema, type DatabaseSchemaProps } from './database-schema';
export {
  GlobalTrafficRouting,
  type GlobalTrafficRoutingProps,
  type RoutedRegion,
  type RoutingMode,
  writeRecordSetIdentifier,
} from './global-traffic-routing';
export {
  ArcFenceFunction,
  REGION_SWITCH_STEP_NAMES,
  RegionSwitchPlan,
  RegionSwitchReportBucket,
  type ArcFenceFunctionProps,
  type RegionSwitchApproval,
  type RegionSwitchPlanProps,
  type RegionSwitchPlanRegion,
  type RegionSwitchReportBucketProps,
  type RegionSwitchReports,
} from './region-switch-plan';
export {
  MIN_MANAGED_RPO,
  managedRpoPolicy,
  type ManagedRpoDecision,
  type ManagedRpoRoles,
} from './managed-rpo';
export {
  GlobalDatabaseMetrics,
  type GlobalDatabaseMetricsProps,
  type LagKind,
} from './global-database-metrics';
export {
  AlarmFactory,
  HealthCheckMetrics,
  RegionalServiceMetrics,
  SecretRotationMetrics,
  type AlarmFactoryProps,
  type AlarmNaming,
} from './monitoring';
export { ReplicationLagAlarms, type ReplicationLagAlarmsProps } from './replication-lag-alarms';
export {
  MultiRegionDashboard,
  type DashboardRegion,
  type MultiRegionDashboardProps,
} from './multi-region-dashboard';
export { MultiRegionChecks, type MultiRegionChecksProps } from './nag/multi-region-checks';
export {
  DrillOperatorRole,
  type DrillOperatorRoleProps,
  type DrillRegion,
} from './drill-operator-role';
export {
  DEFAULT_FAILOVER_PERMISSION_SET,
  DEFAULT_OPERATOR_PERMISSION_SET,
  identityCenterPrincipals,
  parseDrillPrincipal,
  parseDrillPrincipals,
  type DrillPrincipal,
  type DrillPrincipalKind,
} from './drill-principals';
export { InvalidPropsError } from './invalid-props-error';
export {
  DEFAULT_GAME_DAY_DURATION,
  GAME_DAY_ACTION_ID,
  GameDayExperiment,
  type GameDayExperimentProps,
} from './game-day-experiment';
export {
  DEFAULT_READINESS_INTERVAL,
  ReadinessCheck,
  type ReadinessCheckProps,
  type ReadinessOutputStack,
  type ReadinessRegion,
} from './readiness-check';
