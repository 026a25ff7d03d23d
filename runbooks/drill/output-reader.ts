// Reads the Drill* outputs of a `cdk deploy --outputs-file` file, field by field, with the
// contract's types: every problem names the file, the output, the field and the stack.
import type { DrillOutputKey, DrillOutputs } from '../../constructs/contract';
import { DrillError } from './errors';

/** What `cdk deploy --outputs-file` writes: stack name -> output key -> value. */
export type OutputsFile = Record<string, Record<string, string>>;

export const DEPLOY_HINT =
  'Deploy and write the outputs file with: npx cdk deploy --all --outputs-file cdk-outputs.json ' +
  '(or point --outputs at the file your deploy wrote)';

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One Drill* output of one stack, not yet checked field by field. */
export interface ParsedOutput<K extends DrillOutputKey> {
  readonly stack: string;
  readonly key: K;
  readonly value: { readonly [F in keyof DrillOutputs[K]]?: unknown };
}

/** The fields of output `K` whose contract type is `T` (so a renamed field is a compile error). */
type FieldOf<K extends DrillOutputKey, T> = {
  [F in keyof DrillOutputs[K]]-?: NonNullable<DrillOutputs[K][F]> extends T ? F : never;
}[keyof DrillOutputs[K]] &
  string;

/** Finds Drill* outputs by key in any stack and reads typed fields with precise errors. */
export class OutputReader {
  constructor(
    private readonly outputs: OutputsFile,
    private readonly source: string,
  ) {}

  all<K extends DrillOutputKey>(key: K): ParsedOutput<K>[] {
    const found: ParsedOutput<K>[] = [];
    for (const [stack, stackOutputs] of Object.entries(this.outputs)) {
      const raw = stackOutputs[key];
      if (raw === undefined) continue;
      let value: unknown;
      try {
        value = typeof raw === 'string' ? JSON.parse(raw) : raw;
      } catch (err) {
        throw this.problem(
          `output ${key} of stack ${stack} is not a JSON string: ${(err as Error).message}`,
        );
      }
      if (!isRecord(value))
        throw this.problem(`output ${key} of stack ${stack} must be a JSON object`);
      found.push({ stack, key, value });
    }
    if (found.length === 0) {
      const stacks = Object.keys(this.outputs);
      throw this.problem(
        `no stack has the output ${key} (stacks in the file: ${stacks.length ? stacks.join(', ') : 'none'})`,
      );
    }
    return found;
  }

  /** The one output `key`, or undefined when no stack has it (an optional output). */
  optional<K extends DrillOutputKey>(key: K): ParsedOutput<K> | undefined {
    const present = Object.values(this.outputs).some((o) => o[key] !== undefined);
    return present ? this.single(key) : undefined;
  }

  single<K extends DrillOutputKey>(key: K): ParsedOutput<K> {
    const found = this.all(key);
    if (found.length > 1) {
      throw this.problem(
        `expected one ${key} output, found ${found.length}: ${found.map((f) => f.stack).join(', ')}`,
      );
    }
    return found[0];
  }

  string<K extends DrillOutputKey>(output: ParsedOutput<K>, field: FieldOf<K, string>): string {
    const value = output.value[field];
    if (typeof value !== 'string' || value === '') {
      throw this.problem(
        `${output.key}.${field} of stack ${output.stack} must be a non-empty string`,
      );
    }
    return value;
  }

  number<K extends DrillOutputKey>(output: ParsedOutput<K>, field: FieldOf<K, number>): number {
    const value = output.value[field];
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw this.problem(`${output.key}.${field} of stack ${output.stack} must be a number`);
    }
    return value;
  }

  stringList<K extends DrillOutputKey>(
    output: ParsedOutput<K>,
    field: FieldOf<K, readonly string[]>,
  ): string[] {
    const value = output.value[field];
    if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'string')) {
      throw this.problem(
        `${output.key}.${field} of stack ${output.stack} must be a list of regions`,
      );
    }
    return value as string[];
  }

  object<K extends DrillOutputKey>(
    output: ParsedOutput<K>,
    field: FieldOf<K, Readonly<Record<string, unknown>>>,
  ): { value: Record<string, unknown> } {
    const value = output.value[field];
    if (!isRecord(value)) {
      throw this.problem(`${output.key}.${field} of stack ${output.stack} must be an object`);
    }
    return { value };
  }

  problem(message: string): DrillError {
    return new DrillError('DISCOVERY_FAILED', `${this.source}: ${message}`, { hint: DEPLOY_HINT });
  }
}
