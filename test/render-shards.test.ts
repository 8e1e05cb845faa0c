import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import yaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { shardCount, shardTenants, TENANTS_PER_SHARD } from "../offline/render-shards";
import { stackConfig } from "./harness";

const tsx = path.join("node_modules", ".bin", "tsx");
const render = (...args: string[]) => spawnSync(tsx, ["scripts/render.ts", ...args], { encoding: "utf8" });
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shards-"));

/** Every file of a folder, by relative path, with its text. */
function tree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fs.readdirSync(root, { recursive: true, encoding: "utf8" })) {
    const file = path.join(root, f);
    if (fs.statSync(file).isFile()) out[f] = fs.readFileSync(file, "utf8");
  }
  return out;
}

/** The prod stack with `count` tenants like acme, written as a stack file. */
function stackFile(name: string, count: number, change: (t: Record<string, unknown>, i: number) => void = () => {}): string {
  const base = stackConfig("prod");
  const acme = (base["analytics-platform:tenants"] as Record<string, unknown>[])[0];
  const tenants = Array.from({ length: count }, (_, i) => {
    const t = { ...structuredClone(acme), name: `t${i}` };
    change(t, i);
    return t;
  });
  const file = path.join(dir, `Pulumi.${name}.yaml`);
  fs.writeFileSync(file, yaml.dump({ config: { ...base, "analytics-platform:tenants": tenants } }));
  return file;
}

describe("groups of tenants", () => {
  it("one group up to TENANTS_PER_SHARD tenants, then one more per TENANTS_PER_SHARD; --shards overrides", () => {
    expect([0, 1, TENANTS_PER_SHARD, TENANTS_PER_SHARD + 1, 1000].map((n) => shardCount(n))).toEqual([1, 1, 1, 2, 10]);
    expect(shardCount(5, 3)).toBe(3);
    expect(shardCount(2, 8)).toBe(2);
  });
  it("contiguous, in order, sizes within one", () => {
    expect(shardTenants(["a", "b", "c", "d", "e"], 3)).toEqual([["a", "b"], ["c", "d"], ["e"]]);
  });
});

describe("a sharded render", () => {
  it("writes exactly what one process writes: every manifest, resources.json and the render marker", () => {
    const file = stackFile("seven", 7);
    const one = render("--config-file", file, "--out", path.join(dir, "one"), "--shards", "1");
    const three = render("--config-file", file, "--out", path.join(dir, "three"), "--shards", "3");
    expect(one.status, one.stderr).toBe(0);
    expect(three.status, three.stderr).toBe(0);
    expect(three.stdout).toContain("rendered in 3 groups of tenants");
    const a = tree(path.join(dir, "one"));
    expect(Object.keys(a).filter((f) => f.startsWith("manifests")).length).toBeGreaterThan(100);
    expect(tree(path.join(dir, "three"))).toEqual(a);
    // The same summary, counted across the groups.
    expect(three.stdout.split("rendered in")[0]).toEqual(one.stdout.split("written to")[0]);
  }, 120_000);

  it("reports invalid config once, as one process does, and writes nothing", () => {
    const file = stackFile("broken", 4, (t, i) => { if (i === 2) t.retentionDays = 0; });
    const out = path.join(dir, "broken");
    const r = render("--config-file", file, "--out", out, "--shards", "2");
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe(render("--config-file", file, "--out", out, "--shards", "1").stderr.trim());
    expect(r.stderr).toMatch(/tenants\[2\]\.retentionDays/);
    expect(fs.readdirSync(out)).toEqual([]);
  }, 120_000);
});

describe("a sharded policy check", () => {
  const policy = (...args: string[]) => spawnSync(tsx, ["scripts/policy.ts", ...args], { encoding: "utf8" });

  it("reports exactly what one process reports, as a first preview too (advisories from resource and stack policies)", () => {
    const file = stackFile("seven-policy", 7);
    for (const mode of [[], ["--preview"]]) {
      const one = policy("--config-file", file, "--format", "json", "--shards", "1", ...mode);
      const three = policy("--config-file", file, "--format", "json", "--shards", "3", ...mode);
      expect(one.status, one.stderr).toBe(0);
      expect(three.status, three.stderr).toBe(0);
      expect(three.stdout).toEqual(one.stdout);
      const report = JSON.parse(one.stdout) as { tenants: string[]; violations: { policy: string; urn?: string }[] };
      expect(report.tenants).toHaveLength(7);
      if (mode.length > 0) {
        // Both kinds: resource policies' advisories name their resource, stack policies' (undecided) none.
        expect(report.violations.some((v) => v.urn?.includes("t6"))).toBe(true);
        expect(report.violations.some((v) => v.urn === undefined)).toBe(true);
      }
    }
  }, 240_000);

  it("reports invalid config once, as one process does", () => {
    const file = stackFile("broken-policy", 4, (t, i) => { if (i === 1) t.topics = ["Bad Topic"]; });
    const r = policy("--config-file", file, "--shards", "2");
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe(policy("--config-file", file, "--shards", "1").stderr.trim());
    expect(r.stderr).toMatch(/tenants\[1\]\.topics\[0\]/);
  }, 120_000);
});
