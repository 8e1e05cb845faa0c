// checkov, a peer scanner, over what `npm run render` wrote: its findings are fixed, or waived in one file with a reason.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import Ajv from "ajv";
import { parseYaml, yamlLineOf } from "../config/files";
import { InputError } from "./cli";

/** The frameworks run: Kubernetes objects, and secrets in any file (manifests and resources.json, Helm values included). */
export const CHECKOV_FRAMEWORKS = ["kubernetes", "secrets"] as const;

/** One failed check, as checkov's JSON output gives it (the fields used). */
export interface CheckovFinding {
  readonly check_id: string;
  readonly check_name: string;
  /** Relative to the scanned folder, with a leading '/'. */
  readonly file_path: string;
  readonly file_line_range: readonly [number, number];
  /** `Kind.namespace.name` for Kubernetes checks; a hash of the value for secrets. */
  readonly resource: string;
  readonly code_block: readonly (readonly [number, string])[];
}

interface CheckovReport {
  readonly check_type: string;
  readonly summary: { readonly passed: number; readonly failed: number; readonly parsing_errors: number; readonly resource_count: number };
  readonly results: { readonly failed_checks?: readonly CheckovFinding[] };
}

/** What one stack's scan found, per framework. */
export interface StackScan {
  readonly stack: string;
  readonly dir: string;
  readonly frameworks: readonly { readonly name: string; readonly passed: number; readonly failed: number; readonly parsingErrors: number }[];
  readonly findings: readonly CheckovFinding[];
}

export interface Waiver {
  readonly check: string;
  /** For secrets: the key on the flagged line (a reference's name, not its value). */
  readonly key?: string;
  /** For Kubernetes checks: checkov's resource id, `Kind.namespace.name`. */
  readonly resource?: string;
  /** Stacks it applies to; all when absent. */
  readonly stacks?: readonly string[];
  readonly reason: string;
}

const WAIVERS_SCHEMA = {
  type: "object",
  additionalProperties: false,
  required: ["waivers"],
  properties: {
    waivers: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["check", "reason"],
        // A waiver names what it covers: a whole check is never waived.
        anyOf: [{ required: ["key"] }, { required: ["resource"] }],
        properties: {
          check: { type: "string", pattern: "^CKV2?_[A-Z0-9_]+$" },
          key: { type: "string", minLength: 1 },
          resource: { type: "string", minLength: 1 },
          stacks: { type: "array", items: { type: "string" }, minItems: 1 },
          reason: { type: "string", minLength: 20 },
        },
      },
    },
  },
} as const;

/** Reads the waivers file; every problem at once, each at `file:line`. */
export function readWaivers(file: string, text: string = fs.readFileSync(file, "utf8")): Waiver[] {
  const doc = parseYaml(file, text);
  const validate = new Ajv({ allErrors: true }).compile(WAIVERS_SCHEMA);
  if (validate(doc)) return [...(doc as { waivers: Waiver[] }).waivers];
  const lineOf = yamlLineOf(text);
  const problems = (validate.errors ?? []).map((e) => {
    const at = e.instancePath.split("/").slice(1).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
    const where = at.map((s) => (typeof s === "number" ? `[${s}]` : `.${s}`)).join("").replace(/^\./, "");
    return `${file}:${lineOf(at) ?? 1}: ${where || "(top)"}: ${e.message}`;
  });
  throw new InputError([...new Set(problems)].join("\n"));
}

/** The key on a finding's first line (`"passwordKey": "adm***"` → passwordKey); checkov masks the value. */
export function flaggedKey(f: CheckovFinding): string | undefined {
  return /^\s*-?\s*"?([^":\s]+)"?\s*:/.exec(f.code_block[0]?.[1] ?? "")?.[1];
}

/** `Kind.namespace.name` with `*` standing for one part's name or its rest (`Job.tenant-*.schema-registration`). */
function resourceMatches(pattern: string, resource: string | undefined): boolean {
  const regex = new RegExp(`^${pattern.split("*").map((p) => p.replace(/[.\\^$+?()[\]{}|]/g, "\\$&")).join("[^.]*")}$`);
  return resource !== undefined && regex.test(resource);
}

function covers(w: Waiver, stack: string, f: CheckovFinding): boolean {
  return w.check === f.check_id && (w.stacks?.includes(stack) ?? true) &&
    (w.key === undefined || w.key === flaggedKey(f)) && (w.resource === undefined || resourceMatches(w.resource, f.resource));
}

export interface Judgement {
  readonly waived: readonly { readonly stack: string; readonly finding: CheckovFinding; readonly waiver: Waiver }[];
  readonly unwaived: readonly { readonly stack: string; readonly finding: CheckovFinding }[];
  /** Waivers that cover nothing in any stack scanned: the file stays true only if these are removed. */
  readonly stale: readonly { readonly index: number; readonly waiver: Waiver }[];
}

/** Every finding is waived or not; a waiver that covers nothing scanned is stale. */
export function judgeFindings(scans: readonly StackScan[], waivers: readonly Waiver[]): Judgement {
  const waived: Judgement["waived"][number][] = [];
  const unwaived: Judgement["unwaived"][number][] = [];
  const used = new Set<number>();
  for (const scan of scans) {
    for (const finding of scan.findings) {
      const i = waivers.findIndex((w) => covers(w, scan.stack, finding));
      if (i < 0) unwaived.push({ stack: scan.stack, finding });
      else {
        used.add(i);
        waived.push({ stack: scan.stack, finding, waiver: waivers[i] });
      }
    }
  }
  const scanned = new Set(scans.map((s) => s.stack));
  const stale = waivers.flatMap((waiver, index) =>
    !used.has(index) && (waiver.stacks ?? [...scanned]).some((s) => scanned.has(s)) ? [{ index, waiver }] : []);
  return { waived, unwaived, stale };
}

/** Runs checkov on one rendered stack's folder (manifests/ and resources.json). */
export function scanStack(checkov: string, stack: string, dir: string): StackScan {
  const r = spawnSync(checkov, ["-d", dir, "--framework", ...CHECKOV_FRAMEWORKS, "-o", "json", "--quiet", "--skip-download"], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  // checkov exits 1 when a check fails; its JSON is the answer either way.
  if (r.error || (r.status !== 0 && r.status !== 1)) throw new Error(`checkov on ${dir} failed (exit ${r.status}): ${r.error?.message ?? r.stderr.trim().split("\n").pop()}`);
  const parsed = JSON.parse(r.stdout) as CheckovReport | CheckovReport[];
  // A folder with nothing to check gives a bare summary: that is a failure, never a pass.
  const reports = (Array.isArray(parsed) ? parsed : [parsed]).filter((x) => typeof x.check_type === "string");
  if (!reports.some((x) => x.check_type === "kubernetes" && x.summary.resource_count > 0)) throw new InputError(`${dir}: checkov found no Kubernetes objects (run \`npm run render -- --stack ${stack}\` first)`);
  return {
    stack,
    dir,
    frameworks: reports.map((x) => ({ name: x.check_type, passed: x.summary.passed, failed: x.summary.failed, parsingErrors: x.summary.parsing_errors })),
    findings: reports.flatMap((x) => x.results.failed_checks ?? []),
  };
}
