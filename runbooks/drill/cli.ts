// Entry point loaded by runbooks/bin/drill.cjs (through tsx): run the CLI, exit with its code.
import { main } from './program';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  },
);
