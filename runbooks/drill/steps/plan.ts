import { regionOf, type DrillTopology } from '../discovery';
import type { DrillKind } from '../model';
import type { PlanView } from './types';

/** The plan view of a drill already in a journal (resume, reports). */
export function planOfJournal(
  topology: DrillTopology,
  header: {
    readonly params: { kind: DrillKind; fromRegion: string; targetRegion: string };
    readonly homeRegion: string;
  },
): PlanView {
  const { params } = header;
  return planView(topology, params.kind, params.fromRegion, params.targetRegion, header.homeRegion);
}

/** Builds a plan view from the outputs. */
export function planView(
  topology: DrillTopology,
  kind: DrillKind,
  fromRegion: string,
  targetRegion: string,
  homeRegion: string,
): PlanView {
  return {
    kind,
    // regionOf explains a region the outputs no longer name (e.g. resuming with another file).
    from: regionOf(topology, fromRegion),
    target: regionOf(topology, targetRegion),
    globalClusterIdentifier: topology.globalClusterIdentifier,
    hostedZoneId: topology.hostedZoneId,
    writeHostname: topology.writeHostname,
    databaseName: topology.databaseName,
    rpoSeconds: topology.rpoSeconds,
    rpoLabel: `${topology.rpoSeconds} s`,
    homeRegion,
    regions: topology.regions,
  };
}
