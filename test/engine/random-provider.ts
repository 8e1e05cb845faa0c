/**
 * A stand-in for the `random` provider plugin, for the engine test only: pulumi-random's provider module is not
 * served by the Go module proxy here (403 "This module version is not available"), so the real one cannot be
 * built. It serves the one resource the program uses, random:index/randomPassword:RandomPassword, with the rules of
 * terraform-provider-random's resource_password.go as documented: upper, lower, numeric and special default to on,
 * the min* counts are honoured, and any change of input replaces the password. Anything else is refused.
 */
import * as crypto from "node:crypto";
import * as provider from "@pulumi/pulumi/provider";

const PASSWORD = "random:index/randomPassword:RandomPassword";
const SETS = { upper: "ABCDEFGHIJKLMNOPQRSTUVWXYZ", lower: "abcdefghijklmnopqrstuvwxyz", numeric: "0123456789", special: "!@#$%&*()-_=+[]{}<>:?" };

interface PasswordInputs {
  readonly length: number;
  readonly upper?: boolean; readonly lower?: boolean; readonly numeric?: boolean; readonly special?: boolean;
  readonly minUpper?: number; readonly minLower?: number; readonly minNumeric?: number; readonly minSpecial?: number;
  readonly overrideSpecial?: string;
  readonly keepers?: Record<string, string>;
}

const pick = (set: string): string => set[crypto.randomInt(set.length)];

/** A password of `length` characters from the enabled sets, with at least each set's minimum. */
export function generatePassword(i: PasswordInputs): string {
  const sets = [
    { on: i.upper ?? true, chars: SETS.upper, min: i.minUpper ?? 0 },
    { on: i.lower ?? true, chars: SETS.lower, min: i.minLower ?? 0 },
    { on: i.numeric ?? true, chars: SETS.numeric, min: i.minNumeric ?? 0 },
    { on: i.special ?? true, chars: i.overrideSpecial ?? SETS.special, min: i.minSpecial ?? 0 },
  ].filter((s) => s.on);
  if (sets.length === 0) throw new Error("at least one of upper, lower, numeric and special must be enabled");
  const chars = sets.flatMap((s) => Array.from({ length: s.min }, () => pick(s.chars)));
  const all = sets.map((s) => s.chars).join("");
  while (chars.length < i.length) chars.push(pick(all));
  for (let k = chars.length - 1; k > 0; k--) {
    const j = crypto.randomInt(k + 1);
    [chars[k], chars[j]] = [chars[j], chars[k]];
  }
  return chars.join("");
}

// A URN's type is its parent's type chain joined by `$`, ending with the resource's own.
const only = (urn: string): void => {
  if (urn.split("::")[2]?.split("$").pop() !== PASSWORD) throw new Error(`this stand-in random provider serves only ${PASSWORD}, not ${urn}`);
};

const standIn: provider.Provider = {
  version: "4.21.2",
  async check(urn, _olds, news) {
    only(urn);
    const failures = typeof news.length === "number" && news.length > 0 ? [] : [{ property: "length", reason: "length must be a positive number" }];
    return { inputs: news, failures };
  },
  async diff(_id, urn, olds, news) {
    only(urn);
    const keys = ["length", "upper", "lower", "numeric", "special", "minUpper", "minLower", "minNumeric", "minSpecial", "overrideSpecial", "keepers"];
    const replaces = keys.filter((k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k]));
    return { changes: replaces.length > 0, replaces };
  },
  async create(urn, inputs) {
    only(urn);
    // No bcryptHash: the program never reads it.
    return { id: crypto.randomUUID(), outs: { ...inputs, result: generatePassword(inputs as PasswordInputs) } };
  },
  async read(id, urn, props) {
    only(urn);
    return { id, props };
  },
  async delete(_id, urn) {
    only(urn);
  },
};

provider.main(standIn, process.argv.slice(2)).catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
