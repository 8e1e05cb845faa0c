import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

/** The project root (this file is in offline/). */
export const ROOT = path.resolve(__dirname, "..");

const HARNESS_JAR = path.join(ROOT, "harness", "target", "harness.jar");
const HARNESS_CLASSPATH = path.join(ROOT, "harness", "target", "classpath.txt");
const BROKER_CLASSPATH = path.join(ROOT, "harness", "kafka-broker", "target", "classpath.txt");
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
  const built = [HARNESS_JAR, HARNESS_CLASSPATH, BROKER_CLASSPATH].every((f) => fs.existsSync(f));
  if (built && Math.min(...[HARNESS_JAR, BROKER_CLASSPATH].map((f) => fs.statSync(f).mtimeMs)) >= Math.max(...SOURCES.map((s) => newestSource(path.join(ROOT, s))))) return;
  process.stderr.write("building the JVM parts (mvn package)…\n");
  const r = spawnSync("mvn", ["-B", "-q", "-DskipTests", "package"], { cwd: ROOT, stdio: ["ignore", "inherit", "inherit"] });
  if (r.status !== 0) throw new Error(`mvn package failed (exit ${r.status ?? r.signal}); is Maven on PATH?`);
}

/** The command line of a harness main class: java, its options and the classpath. */
export function harnessCommand(mainClass: string, jvmOptions: readonly string[] = []): { command: string; args: string[] } {
  ensureJvmBuilt();
  const classpath = [HARNESS_JAR, fs.readFileSync(HARNESS_CLASSPATH, "utf8").trim()].join(path.delimiter);
  const java = process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, "bin", "java") : "java";
  return {
    command: java,
    args: [
      ...jvmOptions,
      `-Danalytics.brokerClasspath=${fs.readFileSync(BROKER_CLASSPATH, "utf8").trim()}`,
      "-cp",
      classpath,
      mainClass,
    ],
  };
}
