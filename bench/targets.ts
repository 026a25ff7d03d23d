// Verdicts of the benchmarks (bench/synth.ts, bench/rehearse.ts) against their targets: a miss is printed plainly, never only as
// a number next to the target.

/** `met (... <= target)` or `MISSED: value > target`. */
export function atMost(value: number, target: number, unit: string): string {
  const v = `${value.toFixed(2)}${unit}`;
  const t = `${target.toFixed(2)}${unit}`;
  return value <= target ? `met (${v} <= ${t} target)` : `MISSED: ${v} > ${t} target`;
}

/** `met (... < target)` or `MISSED: value >= target`. */
export function below(value: number, target: number, unit: string): string {
  const v = `${value.toFixed(2)}${unit}`;
  const t = `${target.toFixed(2)}${unit}`;
  return value < target ? `met (${v} < ${t} target)` : `MISSED: ${v} >= ${t} target`;
}

/** The closing line: how many targets were missed, and which. */
export function summary(verdicts: readonly { label: string; verdict: string }[]): string {
  const missed = verdicts.filter((v) => v.verdict.startsWith('MISSED'));
  if (missed.length === 0) return `all ${verdicts.length} targets met`;
  return (
    `MISSED ${missed.length} of ${verdicts.length} targets: ` +
    missed.map((m) => `${m.label} (${m.verdict.slice('MISSED: '.length)})`).join('; ')
  );
}

/** bench/rehearse.ts: every built-in scenario on the default topology, on 2 cores (issue 15). */
export const REHEARSE_TARGET_SECONDS = 10;
