/**
 * Placeholders in flink-jobs/*.sql (and druid-specs/): `${NAME}`. Deploy-time ones are replaced by the
 * program per tenant; runtime ones stay in the script and are filled by the SQL runner from the pod's
 * environment, which comes from the tenant's Secret — so credentials never enter a ConfigMap.
 */
export const PLACEHOLDER = /\$\{([A-Z][A-Z0-9_]*)\}/g;

/** Filled by the SQL runner at start-up from environment variables (Secret-backed). */
export const RUNTIME_PLACEHOLDERS = ["KAFKA_USERNAME", "KAFKA_PASSWORD"] as const;

export interface Unresolved {
  readonly name: string;
  readonly line: number;
}

export interface Substitution {
  readonly text: string;
  readonly unresolved: readonly Unresolved[];
}

/**
 * Replaces every `${NAME}` that `values` defines; runtime placeholders are kept; any other is reported
 * with its line. Replacement values must be single-line, so line numbers stay those of the file.
 */
export function substitute(template: string, values: Readonly<Record<string, string>>, keep: readonly string[] = RUNTIME_PLACEHOLDERS): Substitution {
  const unresolved: Unresolved[] = [];
  const lines = template.split("\n").map((line, i) =>
    line.replace(PLACEHOLDER, (whole, name: string) => {
      if (Object.prototype.hasOwnProperty.call(values, name)) return values[name];
      if (!keep.includes(name)) unresolved.push({ name, line: i + 1 });
      return whole;
    }),
  );
  return { text: lines.join("\n"), unresolved };
}

export interface JsonSubstitution {
  readonly value: unknown;
  /** Placeholders with no value, by JSON path ($.spec.ioConfig.topic). */
  readonly unresolved: readonly { readonly name: string; readonly path: string }[];
}

const WHOLE = /^\$\{([A-Z][A-Z0-9_]*)\}$/;

/**
 * Placeholders inside a JSON document's strings. A string that is exactly one placeholder takes the
 * value as is (an object or a number: `"taskCount": "${TASK_COUNT}"`); others are filled as text.
 */
export function substituteJson(doc: unknown, values: Readonly<Record<string, unknown>>): JsonSubstitution {
  const unresolved: { name: string; path: string }[] = [];
  const walk = (v: unknown, path: string): unknown => {
    if (typeof v === "string") {
      const whole = WHOLE.exec(v);
      if (whole && Object.prototype.hasOwnProperty.call(values, whole[1])) return values[whole[1]];
      return v.replace(PLACEHOLDER, (all, name: string) => {
        if (Object.prototype.hasOwnProperty.call(values, name)) return String(values[name]);
        unresolved.push({ name, path });
        return all;
      });
    }
    if (Array.isArray(v)) return v.map((x, i) => walk(x, `${path}[${i}]`));
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, `${path}.${k}`)]));
    return v;
  };
  return { value: walk(doc, "$"), unresolved };
}
