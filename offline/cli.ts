// What every npm script shares: flags and usage, exit codes, and the user's mistakes as messages, never traces.
import { parseArgs, ParseArgsConfig } from "node:util";
import { InputFileError } from "../config/files";
import { ConfigError } from "../config/validate";
import { CatalogError } from "../jobs/catalog-error";
import { OutputFolderError } from "./render-output";

/** Exit codes of every tool (README "Exit codes"). */
export const EXIT = { clean: 0, problems: 1, usage: 2 } as const;

/** A mistake in how a tool was called: its usage follows the message, exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** A problem with what the user gave (a flag's value, a file's content): the message alone, exit 1. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InputError";
  }
}

/** Errors whose message is for the user as it stands; anything else is the tool's own fault. */
const USER_ERRORS = [InputError, InputFileError, ConfigError, CatalogError, OutputFolderError];

type Options = NonNullable<ParseArgsConfig["options"]>;

/**
 * The flags and arguments of `argv`. `--help` prints `usage` and exits 0. An unknown flag, a missing value or,
 * unless `positionals`, any argument is a UsageError; a stray argument is what `npm run x --flag` leaves when
 * the `--` is forgotten.
 */
export function parseFlags<const O extends Options>(usage: string, options: O, { positionals = false, argv = process.argv.slice(2) }: { positionals?: boolean; argv?: readonly string[] } = {}) {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(`${usage}\n`);
    process.exit(EXIT.clean);
  }
  const config = { args: [...argv], options, strict: true, allowPositionals: true } as const;
  let parsed: ReturnType<typeof parseArgs<typeof config>>;
  try {
    parsed = parseArgs(config);
  } catch (e) {
    // Node's hint after the first sentence is about positionals starting with '-', which no tool takes.
    throw new UsageError((e as Error).message.split(". ")[0]);
  }
  if (!positionals && parsed.positionals.length > 0) {
    throw new UsageError(`unexpected argument '${parsed.positionals[0]}': flags go after \`--\` (npm keeps the ones before it for itself)`);
  }
  return parsed;
}

/** For `.catch`: a stack config's problems, prefixed with the file they are in. */
export function inStackFile(file: string): (e: unknown) => never {
  return (e) => {
    throw e instanceof ConfigError ? new InputError(`${file}: ${e.message}`) : e;
  };
}

/** Runs a tool's main: its result is the exit code; a user's mistake is printed as a message, never as a trace. */
export function runTool(name: string, usage: string, main: () => Promise<number> | number): void {
  // The SDK captures a stack trace for every resource and promise; mapping each through tsx's source maps
  // costs more than the registrations themselves (a 100-tenant render: 17.4 s with them, 10.3 s without).
  // Traces are printed only when asked for, and then in full.
  if (!process.env.ANALYTICS_DEBUG) {
    process.setSourceMapsEnabled(false);
    Error.stackTraceLimit = 1;
  }
  Promise.resolve()
    .then(main)
    .then(
      (code) => {
        process.exitCode = code;
      },
      (e: unknown) => {
        if (e instanceof UsageError) {
          process.stderr.write(`${name}: ${e.message}\n${usage}\n`);
          process.exitCode = EXIT.usage;
        } else if (USER_ERRORS.some((k) => e instanceof k)) {
          process.stderr.write(`${(e as Error).message}\n`);
          process.exitCode = EXIT.problems;
        } else {
          // Our fault, not the user's: the message, and the trace only when asked for.
          process.stderr.write(`${name} failed: ${e instanceof Error ? (process.env.ANALYTICS_DEBUG ? e.stack : e.message) : String(e)}\n`);
          process.exitCode = EXIT.problems;
        }
      },
    );
}
