/** Raised when a job or spec definition itself is broken; each problem names its file. */
export class CatalogError extends Error {
  constructor(public readonly problems: readonly string[]) {
    super(`invalid job definitions:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "CatalogError";
  }
}
