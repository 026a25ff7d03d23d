import { Fn, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/** Properties of a {@link RegionalStack}. */
export interface RegionalStackProps extends StackProps {
  /**
   * Availability zones this stack spreads over.
   *
   * @default 2
   */
  readonly azCount?: number;
}

/**
 * A stack pinned to one account and region that never looks up its
 * availability zones: they resolve at deploy time with `Fn::GetAZs`, so
 * `cdk synth --no-lookups` works with no credentials.
 */
export class RegionalStack extends Stack {
  private readonly azCount: number;

  constructor(scope: Construct, id: string, props: RegionalStackProps) {
    super(scope, id, props);
    this.azCount = props.azCount ?? 2;
  }

  override get availabilityZones(): string[] {
    return Array.from({ length: this.azCount }, (_, i) => Fn.select(i, Fn.getAzs()));
  }
}
