import * as fs from "node:fs";
import { describe, expect, it } from "vitest";
import { FLINK_DEFAULTS } from "../model/defaults";

// The image recipe cannot be built here (no Docker engine); what verify and `npm run validate` run on is the
// flink-image module's classpath. These keep the recipe and that classpath the same.
const dockerfile = fs.readFileSync("sql-runner/Dockerfile", "utf8");
const pom = fs.readFileSync("harness/flink-image/pom.xml", "utf8");
const rootPom = fs.readFileSync("pom.xml", "utf8");

function property(name: string): string {
  const m = new RegExp(`<${name.replace(/\./g, "\\.")}>([^<]+)</`).exec(rootPom);
  if (!m) throw new Error(`pom.xml has no property ${name}`);
  return m[1];
}

/** artifactId-version of every dependency between the image-adds markers, properties resolved. */
function imageAdds(): string[] {
  const block = pom.slice(pom.indexOf("<!-- image-adds"), pom.indexOf("<!-- /image-adds -->"));
  return [...block.matchAll(/<artifactId>([^<]+)<\/artifactId>\s*<version>([^<]+)<\/version>/g)].map(([, a, v]) =>
    `${a}-${v.replace(/\$\{([^}]+)\}/g, (_, p: string) => property(p))}`);
}

describe("the SQL-runner image recipe", () => {
  it("adds exactly the jars verify and validate run jobs with", () => {
    const jars = [...dockerfile.matchAll(/\/([^/\s]+)\.jar \\/g)].map((m) => m[1]);
    expect(jars.sort()).toEqual(imageAdds().sort());
  });

  it("builds on the Flink the FlinkDeployments ask for, and puts the runner where they look for it", () => {
    expect(dockerfile).toContain(`FROM \${FLINK_IMAGE}`);
    expect(dockerfile).toMatch(new RegExp(`ARG FLINK_IMAGE=flink:${property("flink.version").replace(/\./g, "\\.")}-`));
    expect(`v${property("flink.version").split(".").slice(0, 2).join("_")}`).toBe(FLINK_DEFAULTS.flinkVersion);
    expect(dockerfile).toContain(`/opt/flink/usrlib/sql-runner.jar`);
    expect(FLINK_DEFAULTS.runnerJar).toBe("local:///opt/flink/usrlib/sql-runner.jar");
  });
});
