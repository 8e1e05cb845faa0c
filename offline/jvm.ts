import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

/** The project root (this file is in offline/). */
export const ROOT = path.resolve(__dirname, "..");

const HARNESS_JAR = path.join(ROOT, "harness", "target", "harness.jar");
const HARNESS_CLASSPATH = path.join(ROOT, "harness", "target", "classpath.txt");
const BROKER_JAR = path.join(ROOT, "harness", "kafka-broker", "target", "kafka-broker.jar");
const BROKER_CLASSPATH = path.join(ROOT, "harness", "kafka-broker", "target", "classpath.txt");
const JMX_AGENT = path.join(ROOT, "harness", "kafka-broker", "target", "jmx_prometheus_javaagent.jar");
const IMAGE_JAR = path.join(ROOT, "harness", "flink-image", "target", "flink-image.jar");
const IMAGE_CLASSPATH = path.join(ROOT, "harness", "flink-image", "target", "classpath.txt");
const DRUID_JAR = path.join(ROOT, "harness", "druid-check", "target", "druid-check.jar");
const DRUID_CLASSPATH = path.join(ROOT, "harness", "druid-check", "target", "classpath.txt");
const TRINO_JAR = path.join(ROOT, "harness", "trino-check", "target", "trino-check.jar");
const TRINO_CLASSPATH = path.join(ROOT, "harness", "trino-check", "target", "classpath.txt");
const AVRO_JAR = path.join(ROOT, "harness", "avro-check", "target", "avro-check.jar");
const AVRO_CLASSPATH = path.join(ROOT, "harness", "avro-check", "target", "classpath.txt");
/** Trino 478 needs Java 24 or newer; harness/trino-check/pom.xml builds with the same JDK (its java25.home). */
const JAVA25_HOME = process.env.JAVA25_HOME ?? "/usr/lib/jvm/temurin-25-jdk-amd64";
const SOURCES = ["pom.xml", "sql-runner", "harness"];

function newestSource(p: string): number {
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = 0;
  for (const e of fs.readdirSync(p)) if (e !== "target") newest = Math.max(newest, newestSource(path.join(p, e)));
  return newest;
}

/** Builds the JVM parts (Maven, Java 17) when they are missing or older than their sources. */
export function ensureJvmBuilt(): void {
  const outputs = [HARNESS_JAR, HARNESS_CLASSPATH, BROKER_JAR, BROKER_CLASSPATH, JMX_AGENT, IMAGE_JAR, IMAGE_CLASSPATH, DRUID_JAR, DRUID_CLASSPATH, TRINO_JAR, TRINO_CLASSPATH, AVRO_JAR, AVRO_CLASSPATH];
  if (outputs.every((f) => fs.existsSync(f)) && Math.min(...outputs.map((f) => fs.statSync(f).mtimeMs)) >= Math.max(...SOURCES.map((s) => newestSource(path.join(ROOT, s))))) return;
  process.stderr.write("building the JVM parts (mvn package)…\n");
  const r = spawnSync("mvn", ["-B", "-q", "-DskipTests", `-Djava25.home=${JAVA25_HOME}`, "package"], { cwd: ROOT, stdio: ["ignore", "inherit", "inherit"] });
  if (r.status !== 0) throw new Error(`mvn package failed (exit ${r.status ?? r.signal}); is Maven on PATH?`);
  // Maven leaves an up-to-date jar untouched (a pom or comment change recompiles nothing): mark the outputs as
  // built from these sources, or every later call would build again.
  const now = new Date();
  for (const f of outputs) fs.utimesSync(f, now, now);
}

/** The runner image's classpath (harness/flink-image), and the Flink version on it. */
export function imageClasspath(): { classpath: string; flinkVersion: string } {
  ensureJvmBuilt();
  const classpath = [IMAGE_JAR, fs.readFileSync(IMAGE_CLASSPATH, "utf8").trim()].join(path.delimiter);
  const version = /flink-core-(\d+\.\d+\.\d+)\.jar/.exec(classpath);
  if (!version) throw new Error("the runner image's classpath has no flink-core jar");
  return { classpath, flinkVersion: version[1] };
}

/**
 * Runs a check's main class: exit 0 is a pass (no problems), exit 1 with lines on stdout is its problems, one a
 * line; anything else is the check's own failure, raised with the start of its stderr.
 */
export function checkProblems(check: { command: string; args: string[] }, args: readonly string[], what: string): string[] {
  const r = spawnSync(check.command, [...check.args, ...args], { encoding: "utf8", maxBuffer: 1 << 24 });
  const lines = (r.stdout ?? "").split("\n").filter((l) => l.trim() !== "");
  if (r.status === 0) return [];
  if (r.status === 1 && lines.length > 0) return lines;
  throw new Error(`${what} failed (exit ${r.status ?? r.signal}): ${(r.stderr ?? "").split("\n").slice(0, 5).join(" ")}`);
}

function java(): string {
  return process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, "bin", "java") : "java";
}

/** A main class of the runner image's classpath (the planner check of `npm run validate`). */
export function imageCommand(mainClass: string, jvmOptions: readonly string[] = []): { command: string; args: string[] } {
  return { command: java(), args: [...jvmOptions, "-cp", imageClasspath().classpath, mainClass] };
}

/** A main class of Druid's own classes (harness/druid-check: the supervisor spec check of `npm run validate`). */
export function druidCommand(mainClass: string, jvmOptions: readonly string[] = []): { command: string; args: string[] } {
  ensureJvmBuilt();
  return { command: java(), args: [...jvmOptions, "-cp", druidClasspath(), mainClass] };
}

/** A main class of Apache Avro's own classes (harness/avro-check: the schema contracts of `npm run validate`). */
export function avroCommand(mainClass: string): { command: string; args: string[] } {
  ensureJvmBuilt();
  return { command: java(), args: ["-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", [AVRO_JAR, fs.readFileSync(AVRO_CLASSPATH, "utf8").trim()].join(path.delimiter), mainClass] };
}

function druidClasspath(): string {
  return [DRUID_JAR, fs.readFileSync(DRUID_CLASSPATH, "utf8").trim()].join(path.delimiter);
}

/** A main class of Trino's own classes (harness/trino-check, on Java 25: the lake's access matrix). */
export function trinoCommand(mainClass: string): { command: string; args: string[] } {
  ensureJvmBuilt();
  return { command: path.join(JAVA25_HOME, "bin", "java"), args: ["-cp", trinoClasspath(), mainClass] };
}

function trinoClasspath(): string {
  return [TRINO_JAR, fs.readFileSync(TRINO_CLASSPATH, "utf8").trim()].join(path.delimiter);
}

/** The harness's command line: its classpath, and those of the brokers, the runner image, Druid's and Trino's checks it starts. */
export function harnessCommand(mainClass: string, jvmOptions: readonly string[] = []): { command: string; args: string[] } {
  const image = imageClasspath();
  return {
    command: java(),
    args: [
      ...jvmOptions,
      `-Danalytics.brokerClasspath=${[BROKER_JAR, fs.readFileSync(BROKER_CLASSPATH, "utf8").trim()].join(path.delimiter)}`,
      `-Danalytics.jmxAgent=${JMX_AGENT}`,
      `-Danalytics.imageClasspath=${image.classpath}`,
      `-Danalytics.flinkVersion=${image.flinkVersion}`,
      `-Danalytics.druidClasspath=${druidClasspath()}`,
      `-Danalytics.trinoJava=${path.join(JAVA25_HOME, "bin", "java")}`,
      `-Danalytics.trinoClasspath=${trinoClasspath()}`,
      "-cp",
      [HARNESS_JAR, fs.readFileSync(HARNESS_CLASSPATH, "utf8").trim()].join(path.delimiter),
      mainClass,
    ],
  };
}
