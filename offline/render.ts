import * as path from "node:path";
import { readYamlFile } from "../config/files";
import { CONFIG_NAMESPACE } from "../config/validate";
import { TENANT_COMPONENT_TYPE } from "../model/naming";
import type { PlatformModel } from "../model/platform-model";
import { PlatformMocks, RegisteredResource, UNKNOWN_VALUE } from "./mocks";

const PROJECT = "analytics-platform";
/** Pulumi's wire marker for a secret value: {[SIG_KEY]: SECRET_SIG, value}. */
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
export const SECRET_PLACEHOLDER = "[secret]";

/** One registered resource, with the options the engine would see. */
export interface RenderedResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly parent: string | null;
  readonly dependsOn: readonly string[];
  readonly protect: boolean;
  readonly retainOnDelete: boolean;
  /** Inputs with every secret value replaced by "[secret]". */
  readonly inputs: Record<string, unknown>;
  /** True when the program reads an existing object (`.get`) rather than creating one. */
  readonly read: boolean;
  /**
   * URNs each input property depends on (through the Outputs it holds), as the engine hands them to stack
   * policies: a bucket's companions are found by the bucket their `bucket` input comes from. Absent in
   * resources files written before it was recorded.
   */
  readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
}

/** What reports read of a resource: its place in the program and its inputs (a large plan's report keeps only their identity). */
export type PlanEntry = Pick<RenderedResource, "urn" | "type" | "name" | "parent" | "inputs">;

export interface RenderResult {
  readonly stack: string;
  readonly resources: readonly RenderedResource[];
  readonly outputs: Record<string, unknown>;
  /**
   * The values of every Kubernetes Secret, `namespace/name` → key → value: the mocks' deterministic stand-ins
   * for generated credentials. In memory only: `npm run verify` hands them to the engines; nothing prints them.
   */
  readonly secretValues: ReadonlyMap<string, Readonly<Record<string, string>>>;
  /** The model the program deployed from: reports locate resources through it (resource-sources.ts). */
  readonly model: PlatformModel;
}

/** Stack config as `Pulumi.<stack>.yaml` holds it: full keys (`analytics-platform:tenants`) to values. */
export type StackConfigValues = Readonly<Record<string, unknown>>;

/**
 * What the offline tools read for a `secure:` value: without Pulumi's secrets provider nothing here can
 * decrypt it. A URL of the reserved `.invalid` domain, so URL-valued secrets still validate; the key is
 * passed to the program as secret, as `pulumi up` would.
 */
export const SECURE_STAND_IN = "https://secure-value.invalid/offline-stand-in";

function standInSecure(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(standInSecure);
  if (typeof value !== "object" || value === null) return value;
  const entries = Object.entries(value);
  if (entries.length === 1 && entries[0][0] === "secure") return SECURE_STAND_IN;
  return Object.fromEntries(entries.map(([k, v]) => [k, standInSecure(v)]));
}

/** Reads the `config:` map of a Pulumi stack file, `secure:` values stood in for (SECURE_STAND_IN). */
export function readStackFile(file: string): StackConfigValues {
  const doc = readYamlFile(file) as { config?: Record<string, unknown> } | undefined;
  return standInSecure(doc?.config ?? {}) as StackConfigValues;
}

/** Stack name for a config file: `Pulumi.prod.yaml` -> prod. */
export function stackNameOf(file: string): string {
  const m = /^Pulumi\.(.+)\.ya?ml$/.exec(path.basename(file));
  return m ? m[1] : path.basename(file).replace(/\.ya?ml$/, "");
}

function isSecret(v: unknown): v is { value: unknown } {
  return typeof v === "object" && v !== null && (v as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}

/**
 * Deep copy with every value inside a secret replaced by the placeholder. The shape (keys of a secret
 * map) is kept so reviewers still see which keys a Secret carries.
 */
export function redact(value: unknown, inSecret = false): unknown {
  if (isSecret(value)) return redact(value.value, true);
  if (Array.isArray(value)) return value.map((v) => redact(v, inSecret));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v, inSecret)]));
  }
  return inSecret && value !== undefined && value !== null ? SECRET_PLACEHOLDER : value;
}

/** Deep copy with every secret marker removed and its value kept. */
function reveal(value: unknown): unknown {
  if (isSecret(value)) return reveal(value.value);
  if (Array.isArray(value)) return value.map(reveal);
  if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, reveal(v)]));
  return value;
}

/** A Secret's keys as the API server would store them: `stringData` over base64-decoded `data`. */
function secretData(inputs: Record<string, unknown>): Record<string, string> {
  const obj = reveal(inputs) as { data?: Record<string, string>; stringData?: Record<string, string> };
  const decoded = Object.fromEntries(Object.entries(obj.data ?? {}).map(([k, v]) => [k, Buffer.from(String(v), "base64").toString("utf8")]));
  return { ...decoded, ...Object.fromEntries(Object.entries(obj.stringData ?? {}).map(([k, v]) => [k, String(v)])) };
}

/** Stack outputs as values, with every secret Output's content replaced by the placeholder. */
async function resolveRedacted(pulumi: typeof import("@pulumi/pulumi"), value: unknown): Promise<unknown> {
  if (pulumi.Output.isInstance(value)) {
    const secret = await pulumi.isSecret(value);
    // In a preview an unknown Output never runs its apply: it stands as the engine's unknown marker.
    if (!(await (value as unknown as { isKnown: Promise<boolean> }).isKnown)) return UNKNOWN_VALUE;
    const inner = await new Promise<unknown>((resolve) => value.apply((v) => { resolve(v); return v; }));
    const resolved = await resolveRedacted(pulumi, inner);
    return secret ? redact({ [SIG_KEY]: SECRET_SIG, value: resolved }) : resolved;
  }
  if (Array.isArray(value)) return Promise.all(value.map((v) => resolveRedacted(pulumi, v)));
  if (value && typeof value === "object") {
    const entries = await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await resolveRedacted(pulumi, v)] as const));
    return Object.fromEntries(entries);
  }
  return value;
}

interface Recorded {
  readonly type: string;
  readonly name: string;
  readonly parent?: { readonly urn: unknown };
  readonly dependsOn: readonly { readonly urn: unknown }[];
  readonly protect: boolean;
  readonly retainOnDelete: boolean;
  readonly props: unknown;
}

type Urned = { readonly urn: unknown };

/** URN of a constructed resource; one resolution per resource however many children or dependents it has. */
function urnResolver(): (resource: Urned) => Promise<string> {
  const cache = new Map<Urned, Promise<string>>();
  return (resource) => {
    let urn = cache.get(resource);
    if (!urn) {
      urn = new Promise((resolve) => (resource.urn as { apply(f: (u: string) => void): void }).apply(resolve));
      cache.set(resource, urn);
    }
    return urn;
  };
}

type OutputModule = typeof import("@pulumi/pulumi/output");

/** The resources behind every Output in a value (the SDK's own getAllResources), as the engine records them per property. */
async function resourcesIn(output: OutputModule, value: unknown, found: Set<Urned>): Promise<void> {
  if (output.Output.isInstance(value)) {
    for (const r of await output.getAllResources(value)) found.add(r);
  } else if (Array.isArray(value)) {
    for (const v of value) await resourcesIn(output, v, found);
  } else if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) await resourcesIn(output, v, found);
  }
}

async function propertyDependencies(output: OutputModule, props: unknown, urnOf: (r: Urned) => Promise<string>): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(props && typeof props === "object" ? props : {})) {
    const found = new Set<Urned>();
    await resourcesIn(output, value, found);
    if (found.size > 0) out[key] = (await Promise.all([...found].map(urnOf))).sort();
  }
  return out;
}

/**
 * Runs the real program in-process under Pulumi's mocks and returns every registered resource.
 * Pulumi and the program are imported here, after the mocks are set, so callers (tests included) can
 * render several configs in one process after resetting modules.
 * Throws ConfigError (nothing registered) when the config is invalid. With `preview`, renders as a fresh
 * stack's first preview: values computed by providers are unknown (PlatformMocks).
 */
export async function renderPlatform(
  stack: string,
  config: StackConfigValues,
  stackReferences: Readonly<Record<string, Record<string, unknown>>> = {},
  { preview = false, onlyTenants }: { readonly preview?: boolean; readonly onlyTenants?: readonly string[] } = {},
): Promise<RenderResult> {
  const pulumi = await import("@pulumi/pulumi");
  const mocks = new PlatformMocks(pulumi, String(config["aws:region"] ?? "us-east-1"), stackReferences, preview);
  await pulumi.runtime.setMocks(mocks, PROJECT, stack, preview);
  const serialized = Object.entries(config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)] as const);
  pulumi.runtime.setAllConfig(Object.fromEntries(serialized), serialized.filter(([, v]) => v.includes(SECURE_STAND_IN)).map(([k]) => k));
  const program = await import("../components/program");
  const model = program.loadModel();

  const recorded: Recorded[] = [];
  let exported: unknown;
  await pulumi.runtime.runInPulumiStack(async () => {
    pulumi.runtime.registerStackTransformation((args) => {
      const deps = args.opts.dependsOn;
      recorded.push({
        type: args.type,
        name: args.name,
        parent: args.opts.parent,
        dependsOn: (Array.isArray(deps) ? deps : deps ? [deps] : []) as { urn: unknown }[],
        protect: args.opts.protect === true,
        retainOnDelete: (args.opts as { retainOnDelete?: boolean }).retainOnDelete === true,
        props: args.props,
      });
      return undefined;
    });
    exported = program.deploy(model, onlyTenants && new Set(onlyTenants));
    return exported;
  });
  await pulumi.runtime.disconnect();

  const stackUrn = `urn:pulumi:${stack}::${PROJECT}::pulumi:pulumi:Stack::${PROJECT}-${stack}`;
  const byKey = new Map<string, RegisteredResource>();
  for (const r of mocks.registered) byKey.set(`${r.type}::${r.name}`, r);
  const urnOf = urnResolver();
  const output = await import("@pulumi/pulumi/output");
  const resources: RenderedResource[] = [];
  for (const r of recorded) {
    const key = `${r.type}::${r.name}`;
    const reg = byKey.get(key);
    if (!reg) throw new Error(`render: ${key} was constructed but never registered`);
    const parent = r.parent ? await urnOf(r.parent) : stackUrn;
    resources.push({
      // Same scheme as the mock engine, so parent and dependsOn URNs match these.
      urn: `urn:pulumi:${stack}::${PROJECT}::${parent.split("::")[2].split("$").pop()}$${r.type}::${r.name}`,
      type: r.type,
      name: r.name,
      parent,
      dependsOn: await Promise.all(r.dependsOn.map(urnOf)),
      protect: r.protect,
      retainOnDelete: r.retainOnDelete,
      inputs: redact(reg.inputs) as Record<string, unknown>,
      read: reg.readId !== undefined,
      propertyDependencies: await propertyDependencies(output, r.props, urnOf),
    });
  }
  const secretValues = new Map<string, Record<string, string>>();
  for (const r of mocks.registered) {
    if (r.type !== "kubernetes:core/v1:Secret" || r.readId) continue;
    const meta = reveal(r.inputs.metadata) as { name: string; namespace?: string };
    secretValues.set(`${meta.namespace ?? "default"}/${meta.name}`, secretData(r.inputs));
  }
  const seen = new Set<string>();
  for (const r of resources) {
    if (seen.has(r.urn)) throw new Error(`render: two resources share the URN ${r.urn}`);
    seen.add(r.urn);
  }
  return { stack, resources, outputs: (await resolveRedacted(pulumi, exported)) as Record<string, unknown>, secretValues, model };
}

/** Short config keys of this project, for validation without the engine. */
export function projectConfig(config: StackConfigValues): Record<string, unknown> {
  const prefix = `${CONFIG_NAMESPACE}:`;
  return Object.fromEntries(Object.entries(config).filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));
}

const BASE64_PLACEHOLDER = Buffer.from(SECRET_PLACEHOLDER).toString("base64");

/**
 * The Kubernetes objects the program sends to the API server, as they would be sent (secret values
 * replaced). Helm releases are not objects of their own and reads create nothing.
 */
export function manifestsOf(result: Pick<RenderResult, "resources">): Record<string, unknown>[] {
  return result.resources
    .filter((r) => r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:helm.sh/") && !r.read && r.type !== "pulumi:providers:kubernetes")
    .map((r) => {
      const obj = { ...r.inputs };
      // Secret.data holds base64; keep the placeholder valid base64 so the object still validates.
      if (obj.kind === "Secret" && obj.data && typeof obj.data === "object") {
        obj.data = Object.fromEntries(Object.entries(obj.data).map(([k, v]) => [k, v === SECRET_PLACEHOLDER ? BASE64_PLACEHOLDER : v]));
      }
      return obj;
    });
}

/** The tenant a resource belongs to: the name of its nearest Tenant ancestor. */
export function tenantOf(resource: PlanEntry, byUrn: ReadonlyMap<string, PlanEntry>): string | undefined {
  for (let r: PlanEntry | undefined = resource; r; r = r.parent ? byUrn.get(r.parent) : undefined) {
    if (r.type === TENANT_COMPONENT_TYPE) return r.name;
  }
  return undefined;
}
