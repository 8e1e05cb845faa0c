import * as fs from "node:fs";
import * as path from "node:path";
import { InputFileError, parseJson } from "../config/files";
import { CatalogError } from "../jobs/catalog-error";

export const DASHBOARDS_DIR = "dashboards";

/** One Grafana dashboard of dashboards/, read once per run. */
export interface Dashboard {
  readonly file: string;
  /** The JSON text, shipped to Grafana as is. */
  readonly json: string;
  readonly uid: string;
  readonly title: string;
  /** Every PromQL expression of its panels, with the panel title. */
  readonly expressions: readonly { readonly panel: string; readonly expr: string }[];
}

interface Panel {
  readonly title?: string;
  readonly targets?: readonly { readonly expr?: string }[];
  readonly panels?: readonly Panel[];
}

function expressionsOf(panels: readonly Panel[]): { panel: string; expr: string }[] {
  return panels.flatMap((p) => [
    ...(p.targets ?? []).filter((t) => t.expr).map((t) => ({ panel: p.title ?? "(untitled)", expr: t.expr! })),
    ...expressionsOf(p.panels ?? []),
  ]);
}

export function loadDashboards(root: string = path.resolve(__dirname, "..")): Dashboard[] {
  const dir = path.join(root, DASHBOARDS_DIR);
  const problems: string[] = [];
  const dashboards = fs.readdirSync(dir).filter((f) => f.endsWith(".json")).sort().flatMap((f) => {
    const file = `${DASHBOARDS_DIR}/${f}`;
    const json = fs.readFileSync(path.join(dir, f), "utf8");
    try {
      const doc = parseJson(file, json) as { uid?: string; title?: string; panels?: Panel[] };
      return [{ file, json, uid: doc.uid ?? "", title: doc.title ?? "", expressions: expressionsOf(doc.panels ?? []) }];
    } catch (e) {
      if (!(e instanceof InputFileError)) throw e;
      problems.push(e.message);
      return [];
    }
  });
  if (problems.length > 0) throw new CatalogError(problems);
  return dashboards;
}

/** Grafana template variables replaced by example values, so an expression can be parsed by promtool. */
export function concreteExpr(expr: string): string {
  return expr.replace(/\$__rate_interval|\$__interval|\$\{__rate_interval\}/g, "5m").replace(/\$\{?tenant\}?/g, "acme");
}

const PROMQL_WORDS = new Set([
  "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset", "inf", "nan",
  "sum", "avg", "min", "max", "count", "rate", "irate", "increase", "histogram_quantile", "clamp_min", "clamp_max", "topk", "bottomk", "abs", "delta", "deriv", "time", "vector", "scalar", "label_replace", "avg_over_time", "max_over_time",
]);

/** Metric names an expression reads: identifiers outside strings, label matchers and grouping clauses. */
export function metricsIn(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, "")
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, "")
    .replace(/\[[^\]]*\]/g, "")
    .replace(/\b\d+(\.\d+)?(e[+-]?\d+)?\b/gi, "0");
  const names = new Set<string>();
  for (const m of stripped.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const after = stripped.slice(m.index! + m[0].length).trimStart();
    if (PROMQL_WORDS.has(m[0]) || after.startsWith("(")) continue;
    if (/^\d/.test(m[0])) continue;
    names.add(m[0]);
  }
  return [...names];
}
