// Entry point loaded by runbooks/bin/drill.cjs (through tsx from source, compiled in the
// package): run the CLI, exit with its code.
import { EXIT_CODES } from './errors';
import { nodeSupportNote } from './node-support';
import { main } from './program';

// Before any SDK client exists: one line of ours instead of the SDK's 9-line warning.
const note = nodeSupportNote(process.version, process.env);
if (note) process.stderr.write(`${note}\n`);

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // After Ctrl-C the interrupted step may still sleep between polls: do not wait for it
    // (stdout and stderr are synchronous for files, TTYs and pipes on Linux: Node.js docs,
    // process, "A note on process I/O").
    if (code === EXIT_CODES.INTERRUPTED) process.exit(code);
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  },
);
