import type * as Sarif from "sarif";
import type { Policies } from "@pulumi/policy";
import type { PolicyReport, Violation } from "./policy-check";

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

export function formatMarkdown(r: PolicyReport, source: string): string {
  const head = r.mandatory > 0
    ? `### ❌ Policy check: ${r.mandatory} mandatory violation(s)`
    : r.violations.length > 0 ? `### ⚠️ Policy check: ${r.violations.length} advisory violation(s)` : "### ✅ Policy check: no violations";
  const esc = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
  const rows = r.violations.map((v) => `| ${v.enforcementLevel} | \`${v.policy}\` | ${esc(v.resource ?? "stack")} | ${esc(detail(v))} |`);
  return [head, "", `Pack \`${r.pack}@v${r.version}\` on \`${source}\`.`, "", ...(rows.length ? ["| level | policy | resource | violation |", "|---|---|---|---|", ...rows] : [])].join("\n");
}

/** SARIF 2.1.0 for code scanning: one rule per policy, one result per violation, located in the stack's config file. */
export function formatSarif(r: PolicyReport, policies: Policies, artifact: string): Sarif.Log {
  const rules: Sarif.ReportingDescriptor[] = policies.map((p) => ({
    id: p.name,
    name: p.name.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase()),
    shortDescription: { text: p.description ?? p.name },
    help: { text: p.remediationSteps ?? p.description ?? p.name },
  }));
  const index = new Map(rules.map((rule, i) => [rule.id, i]));
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [{
      tool: { driver: { name: r.pack, version: r.version, informationUri: "https://www.pulumi.com/docs/iac/using-pulumi/crossguard/", rules } },
      results: r.violations.map((v): Sarif.Result => ({
        ruleId: v.policy,
        ruleIndex: index.get(v.policy),
        level: v.enforcementLevel === "mandatory" ? "error" : "warning",
        message: { text: `${v.resource ? `${v.resource}: ` : ""}${detail(v)}` },
        locations: [{
          physicalLocation: { artifactLocation: { uri: artifact }, region: { startLine: 1 } },
          ...(v.urn ? { logicalLocations: [{ fullyQualifiedName: v.urn, kind: "resource" }] } : {}),
        }],
        ...(v.urn ? { partialFingerprints: { resourceUrn: `${v.policy}:${v.urn}` } } : {}),
      })),
    }],
  };
}
