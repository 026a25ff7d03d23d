// The drill CLI's public surface, for the rest of the project (IAM role, docs, tests).
export { AWS_OPERATIONS, DRILL_IAM_ACTIONS, type AwsOperation } from './aws/operations';
export { loadTopology, type DrillTopology, type RegionTopology } from './discovery';
export { DrillError, EXIT_CODES, EXIT_CODE_MEANINGS, type DrillErrorCode } from './errors';
export { RecordingIoHost, TerminalIoHost, type IoHost, type IoMessage } from './io/host';
export { errorMessageCode, MESSAGES, type IoLevel, type MessageCode } from './io/messages';
export { DRILL_KINDS, type DrillKind } from './model';
export { main, type CliDeps } from './program';
export type { DrillRecord } from './record';
export { renderRunbook } from './runbook';
export { STEPS, stepsFor, type StepDefinition, type StepId } from './steps';
