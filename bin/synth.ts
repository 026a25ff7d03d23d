// What `npm run compliance` and `npm run brief` share: synthesizing the app into a fresh
// directory with the CLI (so cdk.json's feature flags and topology apply) and reading back
// which `-c topology...` settings were given.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Splits `--output DIR` / `-o DIR` / `--output=DIR` off the arguments for cdk synth. */
export function takeOutput(args: readonly string[]): { output?: string; rest: string[] } {
  const rest: string[] = [];
  let output: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--output' || arg === '-o') output = args[++i];
    else if (arg.startsWith('--output=')) output = arg.slice('--output='.length);
    else rest.push(arg);
  }
  return { output, rest };
}

/** The `-c topology...=...` settings on the command line, in order. */
export function topologyOverrides(args: readonly string[]): string[] {
  const found: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const value =
      args[i] === '-c' || args[i] === '--context'
        ? args[i + 1]
        : args[i].startsWith('--context=')
          ? args[i].slice('--context='.length)
          : undefined;
    if (value !== undefined && /^topology/i.test(value)) found.push(`-c ${value}`);
  }
  return found;
}

/** Where the topology a synth saw came from: cdk.json, then each `-c topology...`. */
export function topologySource(cdkArgs: readonly string[]): string {
  return ['cdk.json context "topology"', ...topologyOverrides(cdkArgs)].join(', then ');
}

/** The result of one `cdk synth` into a directory no earlier synth wrote. */
export interface SynthRun {
  readonly assembly: string;
  readonly cdkArgs: readonly string[];
  /** cdk synth exited non-zero (it may still have written the assembly). */
  readonly failed: boolean;
  /** The assembly is in a temporary directory this run made (no `--output`). */
  readonly temporary: boolean;
}

/**
 * Runs `cdk synth --no-lookups --quiet` into `--output DIR` when the arguments give one (it
 * must be new or empty) or else a new temporary directory; `fail` reports bad arguments.
 */
export function synthesize(
  root: string,
  args: readonly string[],
  tmpPrefix: string,
  fail: (message: string, code: number) => never,
): SynthRun {
  const { output, rest: cdkArgs } = takeOutput(args);
  let assembly: string;
  if (output !== undefined) {
    assembly = path.resolve(root, output);
    if (fs.existsSync(assembly) && fs.readdirSync(assembly).length > 0) {
      fail(
        `--output ${output} is not empty; give a new or empty directory, so that no template of an earlier synth is read`,
        2,
      );
    }
  } else {
    assembly = fs.mkdtempSync(path.join(os.tmpdir(), tmpPrefix));
  }
  const cdk = path.join(root, 'node_modules', '.bin', 'cdk');
  const synthArgs = ['synth', '--no-lookups', '--quiet', '--output', assembly, ...cdkArgs];
  console.log(`$ cdk ${synthArgs.join(' ')}`);
  const result = spawnSync(cdk, synthArgs, { cwd: root, stdio: 'inherit' });
  return { assembly, cdkArgs, failed: result.status !== 0, temporary: output === undefined };
}
