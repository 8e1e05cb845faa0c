import * as fs from "node:fs";
import * as path from "node:path";
import yaml from "js-yaml";
import { manifestsOf, RenderedResource, RenderResult } from "./render";

/** Written into every output folder: what the tool wrote there, so that it removes only that next time. */
export const RENDER_MARKER = ".analytics-platform-render.json";

/** An output folder the tool may not write into: a message for the user, not a crash. */
export class OutputFolderError extends Error {}

function fileName(obj: Record<string, unknown>): string {
  const meta = obj.metadata as { name: string; namespace?: string };
  return `${String(obj.kind).toLowerCase()}_${meta.namespace ?? "cluster"}_${meta.name}.yaml`;
}

/**
 * Makes `out` ready for a new render: a new or empty folder, or one holding an earlier render, whose files
 * (and only those) are removed. Anything else is refused: the tool never deletes what it did not write.
 */
export function prepareOutput(out: string): void {
  if (!fs.existsSync(out)) return fs.mkdirSync(out, { recursive: true }), undefined;
  if (!fs.statSync(out).isDirectory()) throw new OutputFolderError(`${out} is not a folder`);
  const marker = path.join(out, RENDER_MARKER);
  if (!fs.existsSync(marker)) {
    if (fs.readdirSync(out).length === 0) return;
    throw new OutputFolderError(`${out} is not empty and holds no earlier render: choose another --out (nothing was written)`);
  }
  const written = (JSON.parse(fs.readFileSync(marker, "utf8")) as { files: string[] }).files;
  for (const f of written) {
    const file = path.resolve(out, f);
    // Only inside the folder, whatever the marker says.
    if (file.startsWith(path.resolve(out) + path.sep)) fs.rmSync(file, { force: true });
  }
  fs.rmSync(marker);
}

/** Records files the tool wrote into `out` (relative paths), for the next prepareOutput. */
export function recordOutput(out: string, files: readonly string[]): void {
  const marker = path.join(out, RENDER_MARKER);
  const earlier = fs.existsSync(marker) ? (JSON.parse(fs.readFileSync(marker, "utf8")) as { files: string[] }).files : [];
  fs.writeFileSync(marker, JSON.stringify({ files: [...new Set([...earlier, ...files])].sort() }, null, 2) + "\n");
}

/** Writes one YAML file per Kubernetes object of `resources` into `out/manifests/`; returns their relative paths. */
export function writeManifests(resources: readonly RenderedResource[], out: string): string[] {
  fs.mkdirSync(path.join(out, "manifests"), { recursive: true });
  return manifestsOf({ resources }).map((obj) => {
    const rel = path.join("manifests", fileName(obj));
    fs.writeFileSync(path.join(out, rel), yaml.dump(obj, { noRefs: true, lineWidth: 160 }));
    return rel;
  });
}

/**
 * `resources.json`'s text: the list, two-space indented. Built from the entries' own texts (resourceEntries)
 * so a sharded render joins its parts into exactly what one process writes.
 */
export function resourcesJson(entries: readonly string[]): string {
  const parts = entries.filter((e) => e !== "");
  return parts.length === 0 ? "[]\n" : `[\n${parts.join(",\n")}\n]\n`;
}

/** The entries of a list of resources as JSON.stringify(list, null, 2) writes them, without the brackets. */
export function resourceEntries(resources: readonly RenderedResource[]): string {
  return resources.length === 0 ? "" : JSON.stringify(resources, null, 2).slice(2, -2);
}

/** Writes `manifests/*.yaml` and `resources.json` (see README "Offline render"); returns the relative paths. */
export function writeRender(result: RenderResult, out: string): string[] {
  prepareOutput(out);
  const files = writeManifests(result.resources, out);
  fs.writeFileSync(path.join(out, "resources.json"), resourcesJson([resourceEntries(result.resources)]));
  files.push("resources.json");
  recordOutput(out, files);
  return files;
}
