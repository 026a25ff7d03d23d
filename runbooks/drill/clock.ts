/**
 * Time as the drill sees it. Every wait and timestamp goes through this, so tests and
 * the benchmark can run a whole drill without real waiting.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};
