import * as path from "node:path";
import * as url from "node:url";
import type * as Sarif from "sarif";
import type { Policies } from "@pulumi/policy";
import type { PolicyReport, Violation } from "./policy-check";
import type { ResourceSource } from "./resource-sources";

/** The repository's root: SARIF paths are relative to it. */
const ROOT = path.resolve(__dirname, "..");

/** The shape of the Pulumi CLI's `Policies:` block. */
export function formatText(r: PolicyReport, source: string): string {
  const mark = r.mandatory > 0 ? "❌" : r.violations.length > 0 ? "⚠️" : "✅";
  const lines = ["Policies:", `    ${mark} ${r.pack}@v${r.version} (local: ${source})`];
  for (const v of r.violations) {
    lines.push(`        - [${v.enforcementLevel}]  ${v.policy}  (${v.resource ?? "stack"})`);
    lines.push(`          ${v.description}`);
    for (const m of v.message.split("\n").filter((l) => l !== v.description)) lines.push(`          ${m}`);
  }
  if (r.violations.length === 0) lines.push("        No policy violations.");
  return lines.join("\n");
}

/** Only the violation's own message (the analyzer prefixes the policy description). */
function detail(v: Violation): string {
  return v.message.split("\n").filter((l) => l !== v.description).join(" ").trim() || v.description;
}

/** One line: each tenant's violations (every tenant named, so a clean one shows as clean), then the platform's. */
export function tenantSummary(r: PolicyReport): string {
  const count = (vs: readonly Violation[]): string => {
    const m = vs.filter((v) => v.enforcementLevel === "mandatory").length;
    const a = vs.length - m;
    return vs.length === 0 ? "clean" : [m ? `${m} mandatory` : "", a ? `${a} advisory` : ""].filter(Boolean).join(", ");
  };
  const parts = [...r.tenants].sort().map((t) => `${t}: ${count(r.violations.filter((v) => v.tenant === t))}`);
  parts.push(`platform: ${count(r.violations.filter((v) => v.tenant === undefined))}`);
  return parts.join(" · ");
}

const where = (s: ResourceSource | undefined): string =>
  s ? [s.primary, ...s.related].map((l) => `\`${l.file}:${l.line}\` ${l.what}`).join(", listed at ") : "";

/** A PR comment: the count, the summary by tenant, then each violation with its resource, place, and the policy's fix. */
export function formatMarkdown(r: PolicyReport, policies: Policies, source: string, sources: ReadonlyMap<string, ResourceSource> = new Map()): string {
  const head = r.mandatory > 0
    ? `### ❌ Policy check: ${r.mandatory} mandatory violation(s)`
    : r.violations.length > 0 ? `### ⚠️ Policy check: ${r.violations.length} advisory violation(s)` : "### ✅ Policy check: no violations";
  const fix = new Map(policies.map((p) => [p.name, p.remediationSteps ?? p.description ?? ""]));
  const oneLine = (s: string) => s.replace(/\s*\n\s*/g, " ");
  const items = r.violations.flatMap((v, i) => {
    const located = v.urn ? sources.get(v.urn) : undefined;
    return [
      `${i + 1}. **\`${v.policy}\`** (${v.enforcementLevel}) on ${v.kind ? `${v.kind} \`${v.object}\`` : "the stack"}${v.tenant ? ` of tenant \`${v.tenant}\`` : ""}`,
      `   - ${oneLine(detail(v))}`,
      ...(v.urn ? [`   - URN: \`${v.urn}\``] : []),
      ...(located ? [`   - Where: ${where(located)}`] : []),
      `   - Fix: ${oneLine(fix.get(v.policy) ?? "")}`,
    ];
  });
  return [head, "", `Pack \`${r.pack}@v${r.version}\` on \`${source}\`.`, "", `By tenant: ${tenantSummary(r)}`, ...(items.length ? ["", ...items] : [])].join("\n");
}

/** A SARIF artifact URI: relative to the repository's root (what code scanning maps), else an absolute file URI. */
export function artifactUri(file: string, root: string): string {
  const abs = path.resolve(file);
  const rel = path.relative(root, abs);
  return rel.startsWith("..") || path.isAbsolute(rel) ? url.pathToFileURL(abs).href : encodeURI(rel.split(path.sep).join("/"));
}

/**
 * SARIF 2.1.0 for code scanning: one rule per policy, one result per violation, placed where its resource
 * comes from (resource-sources.ts) — a tenant's line in the stack file, a job or spec file — else at `fallback`.
 */
export function formatSarif(r: PolicyReport, policies: Policies, fallback: string, sources: ReadonlyMap<string, ResourceSource> = new Map(), root: string = ROOT): Sarif.Log {
  const rules: Sarif.ReportingDescriptor[] = policies.map((p) => ({
    id: p.name,
    name: p.name.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase()),
    shortDescription: { text: p.description ?? p.name },
    help: { text: p.remediationSteps ?? p.description ?? p.name },
  }));
  const index = new Map(rules.map((rule, i) => [rule.id, i]));
  const physical = (file: string, line: number): Sarif.PhysicalLocation => ({ artifactLocation: { uri: artifactUri(file, root) }, region: { startLine: line } });
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [{
      tool: { driver: { name: r.pack, version: r.version, informationUri: "https://www.pulumi.com/docs/iac/using-pulumi/crossguard/", rules } },
      results: r.violations.map((v): Sarif.Result => {
        const located = v.urn ? sources.get(v.urn) : undefined;
        return {
          ruleId: v.policy,
          ruleIndex: index.get(v.policy),
          level: v.enforcementLevel === "mandatory" ? "error" : "warning",
          message: { text: `${v.kind ? `${v.kind} ${v.object}: ` : ""}${detail(v)}` },
          locations: [{
            physicalLocation: physical(located?.primary.file ?? fallback, located?.primary.line ?? 1),
            ...(v.urn ? { logicalLocations: [{ fullyQualifiedName: v.urn, kind: "resource" }] } : {}),
          }],
          ...(located && located.related.length > 0
            ? { relatedLocations: located.related.map((l, id) => ({ id, physicalLocation: physical(l.file, l.line), message: { text: l.what } })) }
            : {}),
          ...(v.urn ? { partialFingerprints: { resourceUrn: `${v.policy}:${v.urn}` } } : {}),
        };
      }),
    }],
  };
}
