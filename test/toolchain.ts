import * as fs from "node:fs";

/**
 * Paths of tools scripts/real-toolchain.sh built, from its toolchain.json (test/global-setup.ts sets
 * ANALYTICS_TOOLCHAIN_JSON). A tool that did not build fails the caller with the error the script recorded.
 */
export function builtTools<K extends string>(names: readonly K[], file = process.env.ANALYTICS_TOOLCHAIN_JSON ?? ""): Record<K, string> {
  const tools = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, { path?: string; error?: string }>;
  return Object.fromEntries(names.map((name) => {
    const p = tools[name]?.path;
    if (!p) throw new Error(`${name} is not in ${file}: ${tools[name]?.error ?? "not built"}`);
    return [name, p];
  })) as Record<K, string>;
}
