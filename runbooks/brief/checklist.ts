// The brief's game-day checklist: what a quarterly game day must show, generated from the
// drill's own preflight checks and step definitions (as titled for this deployment), so a new
// check or step appears here the day it is added.
import type { ArchitectureFacts } from './facts';
import { secondsText } from './brief';
import { mdTable, mdText } from './page';

/** The checklist section of the brief. */
export function gameDayChecklist(facts: ArchitectureFacts): string {
  const { preflight, drills } = facts.checklist;
  // Every step of any drill kind, in the order the drill runs them, with the kinds that run it.
  const steps = new Map<string, { title: string; kinds: string[] }>();
  for (const drill of drills) {
    for (const step of drill.steps) {
      const seen = steps.get(step.id);
      if (!seen) steps.set(step.id, { title: step.title, kinds: [drill.kind] });
      else {
        seen.kinds.push(drill.kind);
        // A step titled differently in another kind (promote: switchover or failover call).
        if (!seen.title.includes(step.title)) seen.title += `; ${drill.kind}: ${step.title}`;
      }
    }
  }
  const order = facts.checklist.stepOrder;
  const ids = [...steps.keys()].sort((a, b) => order.indexOf(a) - order.indexOf(b));
  const r = facts.routing;
  // Each drill needs the roles the one before left: a failover needs the writer back first.
  const byKind = new Map(drills.map((d) => [d.kind, d]));
  const sequence = (['switchover', 'failback', 'failover', 'failback'] as const).flatMap((kind) =>
    byKind.has(kind) ? [byKind.get(kind)!] : [],
  );
  const headlessTargets = [...new Set(drills.map((d) => d.targetRegion))].filter(
    (region) => facts.databases.find((db) => db.region === region)?.headless,
  );
  return [
    '## Game-day checklist (quarterly)',
    '',
    ...headlessTargets.map(
      (region) =>
        `**First add an instance in ${mdText(region)}** (\`readersByRegion\`): it is headless, and \`target-not-headless\` refuses it as a target.\n`,
    ),
    `Run ${sequence.map((d) => `\`npx drill ${d.kind}\` (${d.fromRegion} → ${d.targetRegion})`).join(', then ')}, each with \`--execute\`, and keep each report (each drill starts where the one before left the writer). The game day passes when:`,
    '',
    `1. \`npx drill preflight\` passes all ${preflight.length} checks before each drill:`,
    ...preflight.map((c) => `   - [ ] \`${c.id}\`: ${mdText(c.title)}`),
    '2. Every step of each drill completes (or skips, saying why):',
    '',
    mdTable(
      ['Step', 'What it does here', ...drills.map((d) => d.kind)],
      ids.map((id) => {
        const s = steps.get(id)!;
        return [
          `\`${id}\``,
          mdText(s.title),
          ...drills.map((d) => (s.kinds.includes(d.kind) ? '[ ]' : '-')),
        ];
      }),
    ),
    '',
    `3. The report's measures meet the objectives: client write RTO, client read RTO and database RTO at most ${secondsText(r.rtoSeconds)}; ` +
      `acknowledged writes lost span at most ${secondsText(r.rpoSeconds)} (none in a switchover); ` +
      `a client write through \`${r.writeHostname}\` is acknowledged by the new writer.`,
    `4. Record TTLs seen by the canary are at most ${secondsText(r.ttlSeconds)}, and \`npx drill rehearse\` of the same drill meets the same objectives.`,
  ].join('\n');
}
