import * as auto from "@pulumi/pulumi/automation";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ControlPlane } from "./control-plane";
import { builtTools } from "./toolchain";

/** The Pulumi CLI and Kubernetes provider scripts/real-toolchain.sh built, read from its toolchain.json. */
export interface EngineTools {
  readonly pulumi: string;
  readonly kubernetesProvider: string;
}

export function readEngineTools(file?: string): EngineTools {
  const t = builtTools(["pulumi", "pulumi-resource-kubernetes"], file);
  return { pulumi: t.pulumi, kubernetesProvider: t["pulumi-resource-kubernetes"] };
}

/** A local file backend, a passphrase secrets provider and the real CLI, with plugins found on PATH only. */
export interface Engine {
  readonly dir: string;
  /** An executable that serves policies/ to the engine: pass it to `--policy-pack`. */
  readonly policyPack: string;
  stack(name: string, program: auto.PulumiFn, config: Record<string, unknown>): Promise<auto.Stack>;
  /** Replaces a stack's config (structured values as in Pulumi.<stack>.yaml). */
  configure(stack: auto.Stack, config: Record<string, unknown>): Promise<void>;
  remove(): void;
}

/**
 * Sets up the engine for tests. Plugins are ambient (on PATH): the built Kubernetes provider, and a stand-in
 * `random` provider (test/engine/random-provider.ts) because pulumi-random's provider module cannot be had here.
 * Programs run inline through the Automation API: the CLI then talks to the language runtime this process serves,
 * which stands where pulumi-language-nodejs would (its module is not served either; see README "Under the real engine and API server").
 */
export async function startEngine(tools: EngineTools, cp: ControlPlane, project: string): Promise<Engine> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-engine-"));
  const plugins = path.join(dir, "plugins");
  fs.mkdirSync(plugins);
  fs.mkdirSync(path.join(dir, "state"));
  // The workspace's Pulumi.yaml and Pulumi.<stack>.yaml, here rather than in a temporary folder of its own.
  const workDir = path.join(dir, "work");
  fs.mkdirSync(workDir);
  fs.symlinkSync(tools.kubernetesProvider, path.join(plugins, "pulumi-resource-kubernetes"));
  const loader = path.resolve("node_modules/tsx/dist/loader.mjs");
  fs.writeFileSync(path.join(plugins, "pulumi-resource-random"),
    `#!/bin/sh\nexec "${process.execPath}" --import "${loader}" "${path.resolve("test/engine/random-provider.ts")}" "$@"\n`, { mode: 0o755 });
  // The policy pack as a binary analyzer plugin. Without a language plugin the CLI cannot start a pack folder
  // (pkg/resource/plugin/analyzer_plugin.go, NewPolicyAnalyzer, v3.276.0: RunPlugin of pulumi-language-nodejs),
  // but it launches an executable `--policy-pack` with the engine's address. This one runs @pulumi/pulumi's
  // run-policy-pack on policies/ in its own folder, as the language host would (its ts-node compiles the .ts pack).
  const policyPack = path.join(dir, "policy-pack", "analytics-platform-policies");
  fs.mkdirSync(path.dirname(policyPack));
  fs.writeFileSync(policyPack, `#!/bin/sh\ncd "${path.resolve("policies")}" && exec "${process.execPath}" `
    + `"${path.resolve("node_modules/@pulumi/pulumi/cmd/run-policy-pack")}" "$1" .\n`, { mode: 0o755 });
  const cli = path.join(dir, "cli", "bin");
  fs.mkdirSync(cli, { recursive: true });
  fs.symlinkSync(tools.pulumi, path.join(cli, "pulumi"));
  const pulumiCommand = await auto.PulumiCommand.get({ root: path.dirname(cli), skipVersionCheck: true });
  const envVars = {
    PULUMI_CONFIG_PASSPHRASE: "engine-test",
    PULUMI_BACKEND_URL: `file://${path.join(dir, "state")}`,
    PULUMI_HOME: path.join(dir, "home"),
    PULUMI_SKIP_UPDATE_CHECK: "1",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    KUBECONFIG: cp.kubeconfig,
    PATH: `${plugins}:${process.env.PATH}`,
  };
  const configure = async (stack: auto.Stack, config: Record<string, unknown>): Promise<void> => {
    await stack.workspace.saveStackSettings(stack.name, { config: config as auto.StackSettings["config"] });
  };
  return {
    dir,
    policyPack,
    configure,
    async stack(name, program, config) {
      const stack = await auto.LocalWorkspace.createOrSelectStack({ stackName: name, projectName: project, program },
        { workDir, projectSettings: { name: project, runtime: "nodejs" }, envVars, pulumiCommand });
      await configure(stack, config);
      return stack;
    },
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
