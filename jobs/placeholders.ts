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
