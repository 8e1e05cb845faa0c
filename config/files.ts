import * as fs from "node:fs";
import yaml from "js-yaml";
import * as YAML from "yaml";
import * as jsonc from "jsonc-parser";

/** A file the user gave that cannot be read or parsed: its message starts with `file:line:col`, or the file. */
export class InputFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InputFileError";
  }
}

function readText(file: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputFileError(`${file}: ${code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a folder, not a file" : (e as Error).message}`);
  }
}

/**
 * 1-based line and column of character offsets in one text. The line starts are found once and each offset
 * is placed by yaml's LineCounter (a binary search): a report on a large resources.json asks for thousands.
 */
export function positionsIn(text: string): (offset: number) => { line: number; column: number } {
  const lines = new YAML.LineCounter();
  lines.addNewLine(0);
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) lines.addNewLine(i + 1);
  return (offset) => {
    const { line, col } = lines.linePos(offset);
    return { line, column: col };
  };
}

/** Parses YAML; a syntax error names `file:line:col` and js-yaml's reason. */
export function parseYaml(file: string, text: string): unknown {
  try {
    return yaml.load(text, { filename: file });
  } catch (e) {
    if (!(e instanceof yaml.YAMLException)) throw e;
    // js-yaml's mark is 0-based.
    throw new InputFileError(`${file}:${e.mark.line + 1}:${e.mark.column + 1}: ${e.reason}`);
  }
}

/** `CloseBraceExpected` -> `close brace expected`. */
const words = (code: string): string => code.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();

/**
 * Parses JSON; a syntax error names `file:line:col` and what was expected. V8's own messages often carry no
 * position, so the error is located by jsonc-parser (strict: no comments, no trailing commas).
 */
export function parseJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    if (!(e instanceof SyntaxError)) throw e;
    const errors: jsonc.ParseError[] = [];
    jsonc.parse(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
    const first = errors[0];
    const at = positionsIn(text)(first ? first.offset : text.length);
    throw new InputFileError(`${file}:${at.line}:${at.column}: ${first ? words(jsonc.printParseErrorCode(first.error)) : e.message}`);
  }
}

export function readYamlFile(file: string): unknown {
  return parseYaml(file, readText(file));
}

export function readJsonFile(file: string): unknown {
  return parseJson(file, readText(file));
}

/** A `.json` file as JSON, anything else as YAML. */
export function readDataFile(file: string): unknown {
  return file.endsWith(".json") ? readJsonFile(file) : readYamlFile(file);
}

/** A path into a parsed document: keys and list indexes, as `config.tenants[1].jobs[0]` spells them. */
export type DocPath = readonly (string | number)[];

/**
 * The 1-based line of each node of a YAML text, by path: a map entry's at its key, a list item's where it
 * starts. Reports point at the line that holds a value (a tenant's entry, a job in its list). js-yaml keeps
 * no positions; `yaml`'s document does.
 */
export function yamlLineOf(text: string): (path: DocPath) => number | undefined {
  const lines = new YAML.LineCounter();
  const doc = YAML.parseDocument(text, { lineCounter: lines });
  return (p) => {
    let node: unknown = doc.contents;
    let start: number | undefined;
    for (const step of p) {
      if (YAML.isMap(node)) {
        const pair = node.items.find((i) => YAML.isScalar(i.key) && i.key.value === step);
        start = YAML.isScalar(pair?.key) ? pair.key.range?.[0] : undefined;
        node = pair?.value;
      } else if (YAML.isSeq(node) && typeof step === "number") {
        node = node.items[step];
        start = YAML.isNode(node) ? node.range?.[0] : undefined;
      } else return undefined;
      if (start === undefined) return undefined;
    }
    return start === undefined ? undefined : lines.linePos(start).line;
  };
}

/** The same for a JSON text. */
export function jsonLineOf(text: string): (path: DocPath) => number | undefined {
  const tree = jsonc.parseTree(text);
  const position = positionsIn(text);
  return (p) => {
    const node = tree && jsonc.findNodeAtLocation(tree, [...p]);
    return node ? position(node.offset).line : undefined;
  };
}
