import * as fs from "node:fs";
import * as path from "node:path";
import type { EnforcementLevel, Policies, Policy } from "@pulumi/policy";
import * as analyzerproto from "@pulumi/pulumi/proto/analyzer_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { TENANT_COMPONENT_TYPE } from "../model/naming";
import { UNKNOWN_VALUE } from "./mocks";
import { PlanEntry, RenderedResource, tenantOf } from "./render";

/** One policy violation, as the Pulumi CLI reports it. */
export interface Violation {
  readonly policy: string;
  readonly description: string;
  readonly enforcementLevel: "advisory" | "mandatory";
  readonly message: string;
  readonly urn?: string;
  /** "<type>: <name>" of the resource, when the violation names one. */
  readonly resource?: string;
  /** What a reviewer looks it up by: the Kubernetes kind and `namespace/name`, else the Pulumi type and name. */
  readonly kind?: string;
  readonly object?: string;
  /** The tenant whose resource it is; absent for the platform's. */
  readonly tenant?: string;
}

export interface PolicyReport {
  readonly pack: string;
  readonly version: string;
  readonly violations: readonly Violation[];
  readonly mandatory: number;
  /** Every tenant in the plan, for the per-tenant summary. */
  readonly tenants: readonly string[];
}

/** Pack config as `pulumi preview --policy-pack-config` takes it. */
export type PackConfig = Readonly<Record<string, EnforcementLevel | { readonly enforcementLevel?: EnforcementLevel }>>;

type RpcFun = (call: { request: unknown }, callback: (err: unknown, res?: analyzerproto.AnalyzeResponse) => void) => Promise<void>;
interface AnalyzerServer {
  makeAnalyzeRpcFun(pack: string, version: string, level: EnforcementLevel, policies: Policies): RpcFun;
  makeAnalyzeStackRpcFun(pack: string, version: string, level: EnforcementLevel, policies: Policies): RpcFun;
}

/**
 * The analyzer's own request handlers (internal API of @pulumi/policy, pinned): type filtering,
 * notApplicable, unknown values and enforcement levels behave as under `pulumi preview`.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const server = require("@pulumi/policy/server") as AnalyzerServer;

/** Enforcement level of each policy as the engine resolves it: its own entry, else `all`, else the policy's default. */
export function applyPackConfig(policies: Policies, config: PackConfig): { policies: Policies; packLevel: EnforcementLevel } {
  const levelOf = (name: string): EnforcementLevel | undefined => {
    const entry = config[name];
    return typeof entry === "string" ? entry : entry?.enforcementLevel;
  };
  const all = levelOf("all");
  return {
    packLevel: all ?? "advisory",
    policies: policies.map((p): Policy => ({ ...p, enforcementLevel: levelOf(p.name) ?? all ?? p.enforcementLevel })) as Policies,
  };
}

/** The fields AnalyzeRequest (one resource) and AnalyzerResource (stack analysis) share; the Struct is built once per resource. */
function describe<M extends analyzerproto.AnalyzeRequest | analyzerproto.AnalyzerResource>(message: M, r: RenderedResource, properties: Struct): M {
  const o = new analyzerproto.AnalyzerResourceOptions();
  o.setProtect(r.protect);
  if (r.parent) o.setParent(r.parent);
  message.setType(r.type);
  message.setName(r.name);
  message.setUrn(r.urn);
  message.setProperties(properties);
  message.setOptions(o);
  return message;
}

function call(fun: RpcFun, request: unknown): Promise<analyzerproto.AnalyzeResponse> {
  return new Promise((resolve, reject) => {
    void fun({ request }, (err, res) => (err ? reject(err) : resolve(res!)));
  });
}

/** A Kubernetes object by kind and `namespace/name`; anything else by its Pulumi type and name. */
function identity(r: PlanEntry): { kind: string; object: string } {
  const meta = r.inputs.metadata as { name?: unknown; namespace?: unknown } | undefined;
  if (typeof r.inputs.kind === "string" && typeof meta?.name === "string") {
    return { kind: r.inputs.kind, object: typeof meta.namespace === "string" ? `${meta.namespace}/${meta.name}` : meta.name };
  }
  return { kind: r.type, object: r.name };
}

const LEVELS: Record<number, Violation["enforcementLevel"] | undefined> = {
  [analyzerproto.EnforcementLevel.ADVISORY]: "advisory",
  [analyzerproto.EnforcementLevel.MANDATORY]: "mandatory",
};

const holdsUnknown = (v: unknown): boolean =>
  v === UNKNOWN_VALUE || (Array.isArray(v) ? v.some(holdsUnknown) : !!v && typeof v === "object" && Object.values(v).some(holdsUnknown));

/**
 * A new resource's properties as stack policies get them in a fresh stack's first preview: a top-level
 * property holding a nested unknown is missing altogether, not partly known (pulumi/pulumi#7854).
 */
export function asPreviewOutputs(inputs: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(inputs).filter(([, v]) => v === UNKNOWN_VALUE || !holdsUnknown(v)));
}

/** A diagnostic as the analyzer gives it, as plain data: a sharded check's children hand theirs back as JSON. */
export interface Diagnostic {
  readonly policy: string;
  readonly description: string;
  readonly enforcementLevel: Violation["enforcementLevel"];
  readonly message: string;
  readonly urn?: string;
}

/** The pack's analyzers as the engine would run them, with its config applied. */
export interface PackAnalyzers {
  readonly analyze: RpcFun;
  readonly analyzeStack: RpcFun;
}

export function packAnalyzers(policies: Policies, config: PackConfig, pack: { readonly name: string; readonly version: string }): PackAnalyzers {
  const configured = applyPackConfig(policies, config);
  return {
    analyze: server.makeAnalyzeRpcFun(pack.name, pack.version, configured.packLevel, configured.policies),
    analyzeStack: server.makeAnalyzeStackRpcFun(pack.name, pack.version, configured.packLevel, configured.policies),
  };
}

/** Reported diagnostics only (a disabled policy's are not); a resource policy's concerns the resource analyzed. */
function plain(list: readonly analyzerproto.AnalyzeDiagnostic[], urn?: string): Diagnostic[] {
  return list.flatMap((d): Diagnostic[] => {
    const level = LEVELS[d.getEnforcementlevel()];
    if (!level) return [];
    const at = d.getUrn() || urn;
    return [{ policy: d.getPolicyname(), description: d.getDescription(), enforcementLevel: level, message: d.getMessage(), ...(at ? { urn: at } : {}) }];
  });
}

/**
 * The resource policies' diagnostics, resource by resource in order. Components are not sent to analyzers
 * one by one; reads create nothing. Each request is built and dropped in turn, so memory stays at one resource's.
 */
export async function resourceDiagnostics(resources: readonly RenderedResource[], { analyze }: PackAnalyzers): Promise<Diagnostic[]> {
  const out: Diagnostic[] = [];
  for (const r of resources) {
    if (r.type.startsWith("analytics-platform:") || r.type === "pulumi:pulumi:Stack" || r.read) continue;
    const req = describe(new analyzerproto.AnalyzeRequest(), r, Struct.fromJavaScript(r.inputs as Record<string, never>));
    // The engine attaches a resource policy's diagnostic to the resource analyzed the same way.
    out.push(...plain((await call(analyze, req)).getDiagnosticsList(), r.urn));
  }
  return out;
}

/**
 * The stack policies' diagnostics. They see every resource, components included, so they can follow parents.
 * With `preview`, they see what a first preview hands them (asPreviewOutputs). `resources` is read once, in
 * order: a caller may hand them over one at a time and keep none.
 */
export async function stackDiagnostics(resources: Iterable<RenderedResource>, { analyzeStack }: PackAnalyzers, preview: boolean): Promise<Diagnostic[]> {
  const stackReq = new analyzerproto.AnalyzeStackRequest();
  stackReq.setResourcesList(Array.from(resources, (r) => {
    const props = preview ? asPreviewOutputs(r.inputs) : r.inputs;
    const a = describe(new analyzerproto.AnalyzerResource(), r, Struct.fromJavaScript(props as Record<string, never>));
    if (r.parent) a.setParent(r.parent);
    a.setDependenciesList([...r.dependsOn]);
    for (const [property, urns] of Object.entries(r.propertyDependencies ?? {})) {
      a.getPropertydependenciesMap().set(property, new analyzerproto.AnalyzerPropertyDependencies().setUrnsList([...urns]));
    }
    return a;
  }));
  return plain((await call(analyzeStack, stackReq)).getDiagnosticsList());
}

/** A resource without the properties the report does not show: a large plan's report keeps only these. */
export function planEntry(r: RenderedResource): PlanEntry {
  const meta = r.inputs.metadata as { name?: unknown; namespace?: unknown } | undefined;
  const inputs = { kind: r.inputs.kind, metadata: meta && { name: meta.name, namespace: meta.namespace } };
  return { urn: r.urn, type: r.type, name: r.name, parent: r.parent, inputs };
}

/** The report on a plan: each diagnostic as a violation, with the resource, kind and tenant it concerns. */
export function reportOf(resources: readonly PlanEntry[], diagnostics: readonly Diagnostic[], pack: { readonly name: string; readonly version: string }): PolicyReport {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const violations = diagnostics.map((d): Violation => {
    const target = d.urn === undefined ? undefined : byUrn.get(d.urn);
    const tenant = target && tenantOf(target, byUrn);
    return { ...d, ...(target ? { resource: `${target.type}: ${target.name}`, ...identity(target) } : {}), ...(tenant ? { tenant } : {}) };
  });
  const tenants = resources.filter((r) => r.type === TENANT_COMPONENT_TYPE).map((r) => r.name);
  return { pack: pack.name, version: pack.version, violations, mandatory: violations.filter((v) => v.enforcementLevel === "mandatory").length, tenants };
}

/**
 * Evaluates the pack on rendered resources, through the analyzer's own code path: resource policies, then
 * stack policies, as the engine orders their diagnostics. With `preview`, stack policies see what a first
 * preview hands them (asPreviewOutputs).
 */
export async function checkPolicies(
  resources: readonly RenderedResource[],
  policies: Policies,
  config: PackConfig,
  pack: { readonly name: string; readonly version: string },
  { preview = false }: { readonly preview?: boolean } = {},
): Promise<PolicyReport> {
  const analyzers = packAnalyzers(policies, config, pack);
  const diagnostics = [...(await resourceDiagnostics(resources, analyzers)), ...(await stackDiagnostics(resources, analyzers, preview))];
  return reportOf(resources, diagnostics, pack);
}

/** The pack's version, read as the PolicyPack reads it: from policies/package.json. */
export function packVersion(root: string = path.resolve(__dirname, "..")): string {
  return (JSON.parse(fs.readFileSync(path.join(root, "policies", "package.json"), "utf8")) as { version: string }).version;
}
