// Builders of client canary log entries (client.jsonl) from a fake world's topology: names,
// targets, regions and health check ids as the synthesized app publishes them.
import {
  clientItemId,
  type ClientLogEntry,
  type ClientPath,
  type ClientRequestSample,
  type DnsObservation,
  type HealthObservation,
} from '../../runbooks/drill/client-model';
import type { DrillTopology, RegionTopology } from '../../runbooks/drill/discovery';
import { deployedApp } from '../deployed-app';

/** The requests of a client log, of one path or all. */
export function requestsOf(
  log: readonly ClientLogEntry[],
  path?: ClientPath,
): ClientRequestSample[] {
  return log.filter(
    (e): e is ClientRequestSample => e.type === 'request' && (!path || e.path === path),
  );
}

/** The DNS observations (answers and failures) of a client log, of one path or all. */
export function answersOf(log: readonly ClientLogEntry[], path?: ClientPath): DnsObservation[] {
  return log.filter((e): e is DnsObservation => e.type === 'dns' && (!path || e.path === path));
}

/** Entries `s` seconds after `t0`, for drill `drillId` of a deployment of `topology`. */
export function clientLogBuilder(topology: DrillTopology, drillId: string, t0: number) {
  const at = (s: number) => t0 + s * 1000;
  const nameOf = (path: ClientPath) =>
    path === 'write' ? topology.writeHostname : topology.appHostname;
  const targetOf = (path: ClientPath, r: RegionTopology) =>
    path === 'write' ? r.writeTarget : r.appTarget;

  /** One request of the canary through the cached answer for `region`. */
  function request(
    path: ClientPath,
    seq: number,
    s: number,
    region: RegionTopology,
    ok: boolean,
    more: Partial<ClientRequestSample> = {},
  ): ClientRequestSample {
    return {
      type: 'request',
      seq,
      at: at(s),
      path,
      name: nameOf(path),
      itemId: clientItemId(drillId, seq),
      target: targetOf(path, region),
      targetRegion: region.region,
      latencyMs: 20,
      ok,
      ...(ok
        ? { status: path === 'write' ? 200 : 404, region: region.region }
        : { status: 503, retryAfterSeconds: 1 }),
      ...more,
    };
  }

  /** Writes once a second from `first` to `last` (seconds after t0), seq = second + 1. */
  function writes(first: number, last: number, region: RegionTopology, ok: boolean) {
    const all: ClientRequestSample[] = [];
    for (let s = first; s <= last; s++) all.push(request('write', s + 1, s, region, ok));
    return all;
  }

  /** Reads once a second half way between the writes (seq 1000 + second). */
  function reads(first: number, last: number, region: RegionTopology, ok: boolean) {
    const all: ClientRequestSample[] = [];
    for (let s = first; s <= last; s++) {
      all.push(request('read', 1000 + s, s + 0.5, region, ok, ok ? { found: true } : {}));
    }
    return all;
  }

  function answer(
    path: ClientPath,
    s: number,
    region: RegionTopology,
    ttlSeconds = topology.ttlSeconds,
  ): DnsObservation {
    return {
      type: 'dns',
      at: at(s),
      path,
      name: nameOf(path),
      target: targetOf(path, region),
      region: region.region,
      addresses: ['192.0.2.10'],
      ttlSeconds,
    };
  }

  function health(
    s: number,
    region: RegionTopology,
    check: HealthObservation['check'],
    healthy: boolean,
  ): HealthObservation {
    return {
      type: 'health',
      at: at(s),
      healthCheckId: region.healthChecks[check]!,
      region: region.region,
      check,
      healthy,
      succeeding: healthy ? 16 : 0,
      reporting: 16,
    };
  }

  return { at, request, writes, reads, answer, health };
}

/** The TTL the routing template publishes for `name` (one value over its record sets). */
export function templateTtl(name: string): number {
  const ttls = new Set(
    deployedApp()
      .resources('AWS::Route53::RecordSet')
      .filter((r) => r.properties.Name === `${name}.`)
      .map((r) => Number(r.properties.TTL)),
  );
  if (ttls.size !== 1)
    throw new Error(`expected one TTL over the records of ${name}, got ${[...ttls].join(', ')}`);
  return [...ttls][0];
}
