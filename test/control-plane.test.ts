import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as yaml from "yaml";
import { manifestsOf, RenderResult } from "../offline/render";
import { applyNamespacesFirst, ControlPlane, identity, installCrds, KubeObject, kubeList, readToolchain, startControlPlane } from "./control-plane";
import { render, stackConfig } from "./harness";

/**
 * The rendered plan on a real kube-apiserver (built from k8s.io/kubernetes by scripts/real-toolchain.sh) with the
 * operators' real CRDs, read from ../shared/reference/crds. No operator, scheduler or kubelet runs: this
 * judges what the API server itself decides (structural schemas, CEL rules, strict field validation, defaulting,
 * RBAC), not what an operator does with the objects.
 */
const CRDS = path.resolve("../shared/reference/crds");
const TENANT_LABEL = "analytics-platform.io/tenant";
/** Kinds whose CRD ../shared does not hold (CloudNativePG's Cluster, dev only): listed here, never skipped silently. */
const NO_CRD_IN_REFERENCE = ["postgresql.cnpg.io/v1/Cluster"];

/** `group/version/Kind` for every served version of the reference CRDs. */
function crdKinds(): Set<string> {
  const kinds = new Set<string>();
  for (const file of fs.readdirSync(CRDS).filter((f) => f.endsWith(".yaml"))) {
    for (const doc of yaml.parseAllDocuments(fs.readFileSync(path.join(CRDS, file), "utf8"))) {
      const crd = doc.toJS() as { spec?: { group: string; names: { kind: string }; versions: { name: string; served: boolean }[] } } | null;
      for (const v of crd?.spec?.versions ?? []) if (v.served) kinds.add(`${crd!.spec!.group}/${v.name}/${crd!.spec!.names.kind}`);
    }
  }
  return kinds;
}

describe.each(["dev", "prod"] as const)("the %s render on a real kube-apiserver", (stack) => {
  let cp: ControlPlane;
  let objects: KubeObject[];
  let unchecked: string[];

  beforeAll(async () => {
    const result: RenderResult = await render(stack, stackConfig(stack));
    const served = crdKinds();
    const all = manifestsOf(result) as unknown as KubeObject[];
    const custom = (o: KubeObject): boolean => o.apiVersion.includes(".") && !o.apiVersion.includes(".k8s.io/");
    unchecked = [...new Set(all.filter((o) => custom(o) && !served.has(`${o.apiVersion}/${o.kind}`)).map((o) => `${o.apiVersion}/${o.kind}`))];
    objects = all.filter((o) => !unchecked.includes(`${o.apiVersion}/${o.kind}`));
    cp = await startControlPlane(readToolchain());
    installCrds(cp, CRDS);
  }, 240_000);

  afterAll(async () => {
    await cp?.stop();
  });

  it("checks every rendered kind but those ../shared has no CRD for", () => {
    expect(unchecked.filter((k) => !NO_CRD_IN_REFERENCE.includes(k))).toEqual([]);
    expect(objects.length).toBeGreaterThan(100);
  });

  it("accepts every rendered object under strict field validation, and then holds each one as rendered", () => {
    for (const applied of applyNamespacesFirst(cp, objects, ["--field-manager=analytics-platform", "--validate=strict"])) {
      expect(applied.stderr, applied.stderr).toBe("");
      expect(applied.status).toBe(0);
    }
    const live = cp.kubectl(["get", "-f", "-", "-o", "json"], kubeList(objects));
    expect(live.status, live.stderr).toBe(0);
    const parsed = JSON.parse(live.stdout) as { items?: KubeObject[] } & KubeObject;
    const items = parsed.items ?? [parsed];
    expect(items.map(identity).sort()).toEqual(objects.map(identity).sort());
    for (const o of items) expect(o.metadata.labels ?? {}).toMatchObject(objects.find((r) => identity(r) === identity(o))!.metadata.labels ?? {});
  });

  it("a second apply changes nothing: the server's defaulting and pruning keep what the render says", () => {
    const diff = cp.kubectl(["diff", "--server-side", "--field-manager=analytics-platform", "-f", "-"], kubeList(objects));
    expect(diff.stdout + diff.stderr).toBe("");
    expect(diff.status).toBe(0);
  });

  it("RBAC: each tenant's service accounts act only in their own namespace, and read no Secret even there", () => {
    const namespaces = objects.filter((o) => o.kind === "Namespace").map((o) => o.metadata.name);
    const accounts = objects.filter((o) => o.kind === "ServiceAccount" && o.metadata.labels?.[TENANT_LABEL]);
    expect(new Set(accounts.map((a) => a.metadata.labels![TENANT_LABEL])).size).toBeGreaterThan(1);
    // What Flink's native Kubernetes integration needs in its own namespace (TaskManager pods, HA ConfigMaps).
    const needed = [["create", "pods"], ["delete", "pods"], ["get", "configmaps"], ["update", "configmaps"]];
    const never = [["get", "secrets"], ["list", "secrets"], ["create", "rolebindings"], ["escalate", "roles"]];
    const asks: { account: KubeObject; namespace: string; verb: string; resource: string; expected: boolean }[] = [];
    for (const account of accounts) {
      for (const namespace of namespaces) {
        const own = namespace === account.metadata.namespace;
        for (const [verb, resource] of needed) asks.push({ account, namespace, verb, resource, expected: own });
        for (const [verb, resource] of never) asks.push({ account, namespace, verb, resource, expected: false });
      }
      asks.push({ account, namespace: "", verb: "list", resource: "namespaces", expected: false });
    }
    const reviews = asks.map(({ account, namespace, verb, resource }) => ({
      apiVersion: "authorization.k8s.io/v1",
      kind: "SubjectAccessReview",
      spec: {
        user: `system:serviceaccount:${account.metadata.namespace}:${account.metadata.name}`,
        groups: ["system:serviceaccounts", `system:serviceaccounts:${account.metadata.namespace}`, "system:authenticated"],
        resourceAttributes: { namespace, verb, resource, group: ["roles", "rolebindings"].includes(resource) ? "rbac.authorization.k8s.io" : "" },
      },
    }));
    const answered = cp.kubectl(["create", "-f", "-", "-o", "jsonpath={.status.allowed}{\"\\n\"}"], kubeList(reviews));
    expect(answered.status, answered.stderr).toBe(0);
    const allowed = answered.stdout.trim().split("\n").map((line) => line === "true");
    expect(allowed).toHaveLength(asks.length);
    const wrong = asks.filter((a, i) => allowed[i] !== a.expected)
      .map((a) => `${a.account.metadata.namespace}/${a.account.metadata.name} ${a.verb} ${a.resource} in '${a.namespace}': ${a.expected ? "denied" : "allowed"}`);
    expect(wrong).toEqual([]);
  });
});
