// The outputs file `cdk deploy --outputs-file` writes for the synthesized app (tests and the
// benchmark): evaluated from the cloud assembly, never typed by hand.
import { deployedApp } from '../deployed-app';

export const PRIMARY = 'us-east-1';
export const SECONDARY = 'us-west-2';

/** The outputs of the app synthesized for these regions (primary first). */
export function outputsFor(
  regions: readonly string[] = [PRIMARY, SECONDARY],
  context: Readonly<Record<string, string>> = {},
): Record<string, Record<string, string>> {
  return deployedApp(regions, context).outputsFile();
}
