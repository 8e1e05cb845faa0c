import * as fs from "node:fs";
import { describe, expect, it } from "vitest";
import { CHART_DEFAULTS, KAFKA_DEFAULTS } from "../model/defaults";
import { tieredStorageClassPath } from "../model/platform-model";

// The Kafka image recipe cannot be built here (no Docker engine): these keep it and the Kafka CR in step.
const dockerfile = fs.readFileSync("kafka-image/Dockerfile", "utf8");
const arg = (name: string) => new RegExp(`^ARG ${name}=(\\S+)$`, "m").exec(dockerfile)?.[1];

describe("the Kafka image recipe", () => {
  it("builds on Strimzi's image of the operator and Kafka versions the platform pins", () => {
    expect(arg("STRIMZI_VERSION")).toBe(CHART_DEFAULTS.strimzi.version);
    expect(arg("KAFKA_VERSION")).toBe(KAFKA_DEFAULTS.version);
    expect(dockerfile).toMatch(/^FROM quay\.io\/strimzi\/kafka:\$\{STRIMZI_VERSION\}-kafka-\$\{KAFKA_VERSION\}$/m);
  });

  it("installs each plugin part into the folder the class path names", () => {
    const parts = /for part in ([a-z0-9 ]+); do/.exec(dockerfile)![1].split(" ");
    expect(parts).toEqual([...KAFKA_DEFAULTS.tieredStorage.parts]);
    expect(dockerfile).toContain(`dir=${KAFKA_DEFAULTS.tieredStorage.pluginDir}/\${part}`);
    expect(tieredStorageClassPath()).toBe(parts.map((p) => `${KAFKA_DEFAULTS.tieredStorage.pluginDir}/${p}/*`).join(":"));
  });
});
