import { CONFIG_NAMESPACE, ProviderSettings } from "./validate";

/**
 * Turns the engine's flat config map (`analytics-platform:key` -> string) into one object keyed by
 * short key. Structured values arrive as JSON text; plain strings stay strings. Keys of other
 * namespaces (aws:, kubernetes:) are not ours and are left out.
 */
export function rawConfigFromEngine(all: Readonly<Record<string, string>>): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  const prefix = `${CONFIG_NAMESPACE}:`;
  for (const [key, value] of Object.entries(all)) {
    if (!key.startsWith(prefix)) continue;
    raw[key.slice(prefix.length)] = parseValue(value);
  }
  return raw;
}

function parseValue(value: string): unknown {
  const t = value.trim();
  if (t.startsWith("{") || t.startsWith("[")) {
    try {
      return JSON.parse(t);
    } catch {
      return value;
    }
  }
  return value;
}

/** The providers' settings our config must agree with, from the same flat map (or a stack file's `config:`). */
export function providerSettingsFromEngine(all: Readonly<Record<string, unknown>>): ProviderSettings {
  const region = all["aws:region"];
  return typeof region === "string" ? { awsRegion: region } : {};
}
