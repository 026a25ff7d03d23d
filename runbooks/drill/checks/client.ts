import type { ProbedName } from '../client-probe';
import { noResponseCause, notAllowedToInvoke } from '../client-probe';
import type { PreflightCheck } from './context';

const answerText = (n: ProbedName) =>
  n.error !== undefined
    ? `${n.name}: ${n.error}`
    : n.target === undefined
      ? `${n.name}: no CNAME answer`
      : n.region === undefined
        ? `${n.name} -> ${n.target}, none of this deployment's regions' targets`
        : n.address === undefined
          ? `${n.name} -> ${n.target} (${n.region}) answered no address`
          : `${n.name} -> ${n.target} (${n.region})`;

const answered = (n: ProbedName) =>
  n.error === undefined && n.region !== undefined && n.address !== undefined;

// 14. The client canary can reach the service as a client: without it every canary request
// fails and verify-client-writes waits its whole timeout after the writer moved.
export const clientCanary: PreflightCheck = ({ snapshot, topology }) => {
  const id = 'client-canary';
  const title = `the client canary resolves ${topology.writeHostname} and ${topology.appHostname} and a signed read through ${topology.appHostname} reaches the items API`;
  const probe = snapshot.client;
  if (probe === undefined) {
    return {
      id,
      title,
      ok: true,
      reason: 'skipped: the client canary is turned off (--no-client-canary)',
    };
  }
  if ('skipped' in probe) return { id, title, ok: true, reason: `skipped: ${probe.skipped}` };
  const problems = [probe.write, probe.app].filter((n) => !answered(n)).map(answerText);
  const names = `${answerText(probe.write)}; ${answerText(probe.app)}`;
  const r = probe.request;
  if (!r) return { id, title, ok: false, reason: problems.join('; ') };
  const request = `${r.method} ${r.path} through ${topology.appHostname} (${r.address}, ${r.region})`;
  const message = r.error !== undefined ? ` (${r.error})` : '';
  let verdict: string | undefined;
  if (r.status === undefined) {
    verdict = `${request}: no response: ${noResponseCause(r.error)}`;
  } else if (r.status === 403) {
    verdict = `${request}: 403${message}: ${notAllowedToInvoke(topology)}`;
  } else if (r.status !== 404 && r.status !== 200) {
    verdict = `${request}: ${r.status}${message}, expected 404 (no canary wrote that item)`;
  }
  if (verdict) problems.push(verdict);
  return {
    id,
    title,
    ok: problems.length === 0,
    reason:
      problems.length > 0
        ? problems.join('; ')
        : `${names}; ${request}: ${r.status} (DNS, TLS, SigV4 and execute-api:Invoke work)`,
  };
};
