// Schema contracts judged by Apache Avro's own classes (harness/avro-check): each tenant schema parsed, and
// checked under its subject's compatibility against its earlier versions in git, as a registry checks a new
// version before accepting it. `npm run validate -- --base REV` (the pull request's base branch in CI).
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Compatibility } from "../config/types";
import { avroCommand, checkProblems, ROOT } from "../offline/jvm";

/** An earlier version of a schema, labelled by where it comes from (`HEAD`, `origin/main`, a commit). */
export interface SchemaVersion {
  readonly label: string;
  readonly schema: string;
}

export interface ContractRequest {
  readonly file: string;
  readonly schema: string;
  readonly compatibility: Compatibility;
  /** Newest first. */
  readonly previous: readonly SchemaVersion[];
}

function git(args: readonly string[], cwd = ROOT): { ok: boolean; out: string } {
  const r = spawnSync("git", args, { cwd, encoding: "utf8", maxBuffer: 1 << 26 });
  return { ok: r.status === 0, out: r.stdout ?? "" };
}

/** Whether `rev` names a commit of this checkout. */
export function isCommit(rev: string): boolean {
  return git(["rev-parse", "--verify", "--quiet", `${rev}^{commit}`]).ok;
}

/**
 * A file's versions in git, newest first: the one at `base`, and for a transitive mode every earlier one
 * committed before it (each distinct text once). None when the file is new since `base`.
 */
export function gitVersions(file: string, base: string, transitive: boolean, repository = ROOT): SchemaVersion[] {
  const at = git(["show", `${base}:${file}`], repository);
  if (!at.ok) return [];
  const versions: SchemaVersion[] = [{ label: base, schema: at.out }];
  if (!transitive) return versions;
  const seen = new Set([at.out]);
  for (const commit of git(["log", "--format=%h", base, "--", file], repository).out.split("\n").filter(Boolean)) {
    const text = git(["show", `${commit}:${file}`], repository);
    if (text.ok && !seen.has(text.out)) {
      seen.add(text.out);
      versions.push({ label: commit, schema: text.out });
    }
  }
  return versions;
}

/** Avro's verdict on each request, as `file: message` lines naming the breaking field; empty when all pass. */
export function contractProblems(requests: readonly ContractRequest[]): string[] {
  if (requests.length === 0) return [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "avro-check-"));
  try {
    const file = path.join(dir, "requests.json");
    fs.writeFileSync(file, JSON.stringify(requests));
    return checkProblems(avroCommand("io.analyticsplatform.avrocheck.SchemaCheck"), [file], "Avro's schema check");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
