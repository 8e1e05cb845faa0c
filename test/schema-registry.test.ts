import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { karapaceAuthFile, karapacePasswordHash, REGISTRATION } from "../model/schema-registry";
import { RenderResult } from "../offline/render";
import { at, one, render, stackConfig, TOPIC, USER } from "./harness";

/** Runs Python, which Karapace is written in, on a script reading JSON from stdin; returns its JSON answer. */
function python(script: string, input: unknown): unknown {
  const r = spawnSync("python3", ["-c", script], { input: JSON.stringify(input), encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

/**
 * Karapace's own checks, in Python as Karapace runs them (karapace core/auth.py): a user's password matches when
 * base64(pbkdf2_hmac(algorithm, password, salt, 5000)) equals its hash; an operation on a subject is allowed when a
 * permission of the user has that operation (Write implies Read) and `re.compile(resource).match("Subject:" + s)`.
 */
const KARAPACE_CHECK = `
import base64, hashlib, json, re, sys
q = json.load(sys.stdin)
auth = json.loads(q["authFile"])
users = {u["username"]: u for u in auth["users"]}
def authenticated(name, password):
    u = users.get(name)
    return u is not None and base64.b64encode(hashlib.pbkdf2_hmac(u["algorithm"], password.encode(), u["salt"].encode(), 5000)).decode() == u["password_hash"]
def allowed(name, operation, resource):
    return any(p["username"] == name and (p["operation"] == operation or p["operation"] == "Write") and re.compile(p["resource"]).match(resource) for p in auth["permissions"])
print(json.dumps({
  "authenticated": {name: authenticated(name, pw) for name, pw in q["passwords"].items()},
  "matrix": {name: {s: [allowed(name, "Read", "Subject:" + s), allowed(name, "Write", "Subject:" + s)] for s in q["subjects"]} for name in q["passwords"]},
  "config": {name: allowed(name, "Read", "Config:") for name in q["passwords"]},
}))
`;

describe("Karapace's authorization, as Karapace's Python reads the auth file", () => {
  const cred = (username: string) => ({ username, password: `pw-${username}`, salt: `salt-${username}` });
  const tenants = ["acme", "acme-eu", "globex"];
  const authFile = karapaceAuthFile(cred("platform-admin"), tenants.map((tenant) => ({ tenant, credential: cred(`tenant-${tenant}`) })));
  const subjects = ["acme.events-value", "acme-eu.events-value", "globex.clicks-value", "acme_probe.events-value", "acmeevents-value", "_schemas"];
  const answer = python(KARAPACE_CHECK, {
    authFile,
    passwords: Object.fromEntries(["platform-admin", ...tenants.map((t) => `tenant-${t}`)].map((u) => [u, `pw-${u}`])),
    subjects,
  }) as { authenticated: Record<string, boolean>; matrix: Record<string, Record<string, [boolean, boolean]>>; config: Record<string, boolean> };

  it("hashes passwords as Karapace does (its README's example: 'secret' with salt iuLouaExTeg9ypqTxqP-dw)", () => {
    expect(karapacePasswordHash("secret", "iuLouaExTeg9ypqTxqP-dw")).toBe("R6ghYSXdLGsq6hkQcg8wT4xkD4QToxBhlp7NerTnyB077M+mD2qiN7ZxXCDb4aE+5lExu5P11UpMPYAcVYxSQA==");
    expect(Object.values(answer.authenticated)).toEqual([true, true, true, true]);
  });

  it("lets each tenant read and write its own subjects only: acme and acme-eu apart, a probe outside every prefix denied", () => {
    for (const t of tenants) {
      const row = answer.matrix[`tenant-${t}`];
      for (const s of subjects) expect([s, row[s]]).toEqual([s, s.startsWith(`${t}.`) ? [true, true] : [false, false]]);
      expect(answer.config[`tenant-${t}`]).toBe(false);
    }
  });

  it("lets the platform admin administer every subject and the global config", () => {
    expect(Object.values(answer.matrix["platform-admin"]).every(([r, w]) => r && w)).toBe(true);
    expect(answer.config["platform-admin"]).toBe(true);
  });
});

describe("the rendered registry", () => {
  let dev: RenderResult;
  let prod: RenderResult;
  beforeAll(async () => {
    dev = await render("dev", stackConfig("dev"));
    prod = await render("prod", stackConfig("prod"));
  });

  it("stays when the last tenant with a schema leaves: only that tenant's user goes", async () => {
    const tenants = (stackConfig("dev")["analytics-platform:tenants"] as { name: string }[]).filter((t) => t.name !== "globex");
    const without = await render("dev", stackConfig("dev", { tenants }));
    const names = (r: RenderResult) => r.resources.filter((x) => x.urn.includes("SchemaRegistry")).map((x) => x.name);
    expect(names(dev).filter((n) => !names(without).includes(n))).toEqual(["platform-schema-registry-tenant-globex", "platform-schema-registry-tenant-globex-salt"]);
    expect(JSON.parse(without.secretValues.get("schema-registry/schema-registry-auth")!["auth.json"]).users.map((u: { username: string }) => u.username)).toEqual(["platform-admin"]);
  });

  it("takes its images from config, for a mirror", async () => {
    const mirrored = await render("dev", stackConfig("dev", { schemaRegistry: { image: "mirror.example.com/karapace:6.2.0", registrationImage: "mirror.example.com/curl:8" } }));
    expect(at(one(mirrored, "kubernetes:apps/v1:StatefulSet", "platform-schema-registry-karapace").inputs, "spec", "template", "spec", "containers", 0, "image")).toBe("mirror.example.com/karapace:6.2.0");
    expect(at(one(mirrored, "kubernetes:batch/v1:Job", "globex-schema-registration").inputs, "spec", "template", "spec", "containers", 0, "image")).toBe("mirror.example.com/curl:8");
    expect(at(one(dev, "kubernetes:apps/v1:StatefulSet", "platform-schema-registry-karapace").inputs, "spec", "template", "spec", "containers", 0, "image")).toBe("ghcr.io/aiven-open/karapace:6.2.0");
  });

  it("reaches Kafka as its own user, allowed its topic and groups only; its topic is retained, and protected in prod", () => {
    const acls = at(one(dev, USER, "platform-schema-registry-kafka-user").inputs, "spec", "authorization", "acls") as { resource: { type: string; name: string; patternType: string } }[];
    expect(acls.map((a) => `${a.resource.type}:${a.resource.patternType}:${a.resource.name}`)).toEqual(["topic:literal:_schemas", "group:literal:schema-registry", "group:prefix:karapace-autogenerated-"]);
    for (const r of [dev, prod]) {
      const topic = one(r, TOPIC, "platform-schema-registry-topic");
      expect(at(topic.inputs, "spec", "config", "cleanup.policy")).toBe("compact");
      expect(topic.retainOnDelete).toBe(true);
      expect(topic.protect).toBe(r === prod);
    }
  });

  it("gives the tenant credentials Karapace accepts, and its Secret-only delivery", () => {
    const auth = dev.secretValues.get("schema-registry/schema-registry-auth")!["auth.json"];
    const mine = dev.secretValues.get("tenant-globex/schema-registry-credentials")!;
    expect(mine.username).toBe("tenant-globex");
    expect(mine["basic.auth.user.info"]).toBe(`tenant-globex:${mine.password}`);
    const answer = python(KARAPACE_CHECK, { authFile: auth, passwords: { [mine.username]: mine.password }, subjects: ["globex.clicks-value", "acme.events-value"] }) as { authenticated: Record<string, boolean>; matrix: Record<string, Record<string, boolean[]>> };
    expect(answer.authenticated["tenant-globex"]).toBe(true);
    expect(answer.matrix["tenant-globex"]).toEqual({ "globex.clicks-value": [true, true], "acme.events-value": [false, false] });
  });

  it("registers the tenant's subject as the tenant: compatibility first, then the schema, the password never on a command line", () => {
    const data = at(one(dev, "kubernetes:core/v1:ConfigMap", "globex-schema-registration").inputs, "data") as Record<string, string>;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "registration-"));
    const dirs = { schemasDir: path.join(dir, "schemas"), credentialsDir: path.join(dir, "credentials"), workDir: path.join(dir, "work"), bin: path.join(dir, "bin") };
    for (const d of Object.values(dirs)) fs.mkdirSync(d);
    for (const [k, v] of Object.entries(data)) fs.writeFileSync(path.join(dirs.schemasDir, k), v);
    fs.writeFileSync(path.join(dirs.credentialsDir, "username"), "tenant-globex");
    fs.writeFileSync(path.join(dirs.credentialsDir, "password"), "pw");
    // Stands in for curl: records each call and the files it was handed.
    fs.writeFileSync(path.join(dirs.bin, "curl"), `#!/bin/sh\necho "$@" >> ${dir}/calls\nfor a in "$@"; do case "$a" in @*) cat "\${a#@}" >> ${dir}/bodies; echo >> ${dir}/bodies;; esac; done\n`, { mode: 0o755 });
    let script = data["register.sh"];
    for (const key of ["schemasDir", "credentialsDir", "workDir"] as const) script = script.split(REGISTRATION[key]).join(dirs[key]);
    const run = spawnSync("sh", ["-c", script], { encoding: "utf8", env: { PATH: `${dirs.bin}:/usr/bin:/bin` } });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const calls = fs.readFileSync(path.join(dir, "calls"), "utf8").trim().split("\n");
    expect(calls.map((c) => / -X (\w+) .* (https:\S+)$/.exec(c)?.slice(1).join(" "))).toEqual([
      "PUT https://schema-registry.schema-registry.svc:8081/config/globex.clicks-value",
      "POST https://schema-registry.schema-registry.svc:8081/subjects/globex.clicks-value/versions",
    ]);
    expect(calls.join("\n")).not.toContain("pw");
    expect(fs.readFileSync(path.join(dirs.workDir, "netrc"), "utf8")).toBe("machine schema-registry.schema-registry.svc login tenant-globex password pw\n");
    const [config, body] = fs.readFileSync(path.join(dir, "bodies"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(config).toEqual({ compatibility: "BACKWARD" });
    expect(body.schemaType).toBe("AVRO");
    expect(JSON.parse(body.schema)).toEqual(JSON.parse(fs.readFileSync("schemas/globex/clicks.avsc", "utf8")));
  });
});
