import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { InputFileError, jsonLineOf, parseJson, parseYaml, positionsIn, readYamlFile } from "../config/files";
import { loadFlinkJobs } from "../jobs/catalog";
import { CatalogError } from "../jobs/catalog-error";
import { readSpecFile } from "../jobs/druid-specs";

const tsx = path.join("node_modules", ".bin", "tsx");
const run = (script: string, ...args: string[]) => spawnSync(tsx, [`scripts/${script}.ts`, ...args], { encoding: "utf8" });
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cli-"));
const write = (name: string, text: string) => (fs.writeFileSync(path.join(dir, name), text), path.join(dir, name));
/** A stack trace's frame line, as Node prints them. */
const TRACE = /\n\s+at .+[:(]/;

const messageOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(InputFileError);
    return (e as Error).message;
  }
  throw new Error("no error");
};

describe("input files", () => {
  it("a YAML syntax error is file:line:col with the parser's reason", () => {
    expect(messageOf(() => parseYaml("Pulumi.x.yaml", "config:\n  a: 1\n b: 2\n"))).toBe("Pulumi.x.yaml:3:2: bad indentation of a mapping entry");
  });

  it("a JSON syntax error is file:line:col, also where V8 gives no position", () => {
    expect(messageOf(() => parseJson("spec.json", '{\n  "type": "kafka",\n  "spec": }\n'))).toBe("spec.json:3:11: value expected");
    expect(messageOf(() => parseJson("spec.json", '{"a": [1, 2,]}'))).toBe("spec.json:1:13: value expected");
    expect(messageOf(() => parseJson("spec.json", '{"a": 1} x'))).toBe("spec.json:1:10: invalid symbol");
  });

  it("positions are 1-based lines and columns, at line starts, ends and the text's end", () => {
    const at = positionsIn("ab\ncd\n\nef");
    expect([0, 1, 2, 3, 5, 6, 7, 9].map(at)).toEqual([
      { line: 1, column: 1 }, { line: 1, column: 2 }, { line: 1, column: 3 }, { line: 2, column: 1 },
      { line: 2, column: 3 }, { line: 3, column: 1 }, { line: 4, column: 1 }, { line: 4, column: 3 },
    ]);
    const lineOf = jsonLineOf('[\n  {"a": 1},\n\n  {"b": [\n 2]}\n]');
    expect([lineOf([0]), lineOf([1]), lineOf([1, "b", 0]), lineOf([2])]).toEqual([2, 4, 5, undefined]);
  });

  it("a missing file or a folder is named, not thrown as an errno", () => {
    expect(messageOf(() => readYamlFile(path.join(dir, "absent.yaml")))).toBe(`${path.join(dir, "absent.yaml")}: no such file`);
    expect(messageOf(() => readYamlFile(dir))).toBe(`${dir}: is a folder, not a file`);
  });

  it("a Druid spec's syntax error names the spec file as the user knows it", () => {
    const file = write("bad-spec.json", '{"type": "kafka",\n "spec": {"dataSchema": }}');
    expect(messageOf(() => readSpecFile(file, "druid-specs/bad-spec.json"))).toBe("druid-specs/bad-spec.json:2:25: value expected");
  });

  it("every broken job metadata file is listed at once, each at its line", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "jobs-"));
    fs.mkdirSync(path.join(root, "flink-jobs"));
    for (const name of ["a", "b"]) {
      fs.writeFileSync(path.join(root, "flink-jobs", `${name}.sql`), "SELECT 1;");
      fs.writeFileSync(path.join(root, "flink-jobs", `${name}.yaml`), "description: x\ninputs: [events\n");
    }
    let problems: readonly string[] = [];
    try {
      loadFlinkJobs(root);
    } catch (e) {
      expect(e).toBeInstanceOf(CatalogError);
      problems = (e as CatalogError).problems;
    }
    expect(problems).toEqual([expect.stringMatching(/^flink-jobs\/a\.yaml:3:1: /), expect.stringMatching(/^flink-jobs\/b\.yaml:3:1: /)]);
  });
});

describe("the tools' command lines", () => {
  it.each(["render", "policy", "verify", "validate"])("npm run %s -- --help prints its usage and exits 0", (tool) => {
    const r = run(tool, "--help");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^usage: npm run ${tool}`));
    expect(r.stderr).toBe("");
  });

  it.each(["render", "policy", "verify"])("a forgotten `--` (npm run %s --stack dev leaves 'dev') is a usage error saying so, exit 2", (tool) => {
    const r = run(tool, "dev");
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("unexpected argument 'dev': flags go after `--`");
    expect(r.stderr).toMatch(/usage: npm run /);
    expect(r.stderr).not.toMatch(TRACE);
  });

  it("an unknown flag, a flag without its value, and no source at all are usage errors, exit 2", () => {
    for (const args of [["--stak", "dev"], ["--stack"], []]) {
      const r = run("render", ...args);
      expect(r.status, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(/^render: (Unknown option '--stak'|Option '--stack <value>' argument missing|give either --stack or --config-file)\nusage: /);
    }
  });

  it("a stack file with a YAML syntax error is reported at its line, exit 1, nothing written", () => {
    const file = write("Pulumi.broken.yaml", fs.readFileSync("Pulumi.dev.yaml", "utf8").replace("config:\n", "config:\n  analytics-platform:x: [1\n"));
    const out = path.join(dir, "out-broken");
    const r = run("render", "--config-file", file, "--out", out);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^${file.replace(/[.]/g, "\\.")}:\\d+:\\d+: `));
    expect(r.stderr).not.toMatch(TRACE);
    expect(fs.existsSync(out)).toBe(false);
  });

  it("a missing stack file is named, exit 1", () => {
    const r = run("policy", "--stack", "nope");
    expect(r.status).toBe(1);
    expect(r.stderr).toBe("Pulumi.nope.yaml: no such file\n");
  });

  it("--resources that is not a list, or holds what is not a resource, is refused by JSON path, exit 1", () => {
    const notList = run("policy", "--resources", write("object.json", '{"resources": []}'));
    expect(notList.status).toBe(1);
    expect(notList.stderr).toMatch(/object\.json: not a list of resources/);
    const notResource = run("policy", "--resources", write("list.json", '[{"type": "x", "name": "a", "inputs": {}}, 3]'));
    expect(notResource.status).toBe(1);
    expect(notResource.stderr).toMatch(/list\.json: \$\[1\]: not a resource/);
    const broken = run("policy", "--resources", write("broken.json", "[\n  {\"type\": }\n]"));
    expect(broken.stderr).toMatch(/broken\.json:2:12: value expected/);
    for (const r of [notList, notResource, broken]) expect(r.stderr).not.toMatch(TRACE);
  });

  it("an unknown --format is a usage error naming the formats", () => {
    const r = run("policy", "--stack", "dev", "--format", "xml");
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown format 'xml' \(one of text, json, sarif, markdown\)/);
  });
});
