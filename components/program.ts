import * as pulumi from "@pulumi/pulumi";
import { providerSettingsFromEngine, rawConfigFromEngine } from "../config/load";
import { ConfigError, parseConfig } from "../config/validate";
import { CatalogError, knownNames, loadCatalog } from "../jobs/catalog";
import { tenantIngestionProblems } from "../jobs/druid-specs";
import { tenantJobProblems } from "../jobs/sql-validation";
import { buildModel, PlatformModel } from "../model/platform-model";
import { Platform } from "./platform";
import { exportShared, importShared, kafkaConnection, SharedResources, SharedValues, tenantServices } from "./tenant-services";
import { Tenant } from "./tenant";

/**
 * Reads this stack's config from the engine, validates it, resolves the model and checks every tenant's
 * job placeholders (Flink's planner checks the SQL in `npm run validate`; see jobs/sql-validation.ts).
 * Registers nothing: any problem throws ConfigError before a resource exists.
 */
export function loadModel(): PlatformModel {
  const catalog = loadCatalog();
  const all = pulumi.runtime.allConfig();
  const config = parseConfig(rawConfigFromEngine(all), knownNames(catalog), providerSettingsFromEngine(all));
  const model = buildModel(config, pulumi.getStack(), catalog);
  const problems = [...tenantJobProblems(model.tenants), ...tenantIngestionProblems(model.tenants)];
  if (problems.length > 0) throw new ConfigError(problems, "jobs or ingestion specs");
  return model;
}

/**
 * Registers the stack for a resolved model and returns its outputs: the shared layers, the tenants, or
 * both (see `deployment`). Tenant stacks read what the platform generated from the platform stack.
 * `onlyTenants` registers just those tenants (the model, and so every shared layer, stays whole): the
 * offline render shards a large stack this way (offline/render-shards.ts).
 */
export function deploy(model: PlatformModel, onlyTenants?: ReadonlySet<string>) {
  let shared: SharedValues;
  let resources: SharedResources = {};
  let platformOutputs = {};
  if (model.deployment === "tenants") {
    shared = importShared(new pulumi.StackReference(model.platformStack!));
  } else {
    const platform = new Platform("platform", { model });
    shared = platform.shared;
    resources = platform.resources;
    platformOutputs = {
      kafkaBootstrap: platform.kafka.bootstrapServers,
      buckets: platform.buckets,
      // What tenant stacks read: `shared` (plain) and `sharedSecrets` (generated credentials, secret).
      ...(model.deployment === "platform" ? exportShared(shared, model) : {}),
    };
  }
  const registered = model.deployment === "platform" ? [] : model.tenants.filter((t) => !onlyTenants || onlyTenants.has(t.name));
  const tenants = registered.map((t) => new Tenant(t.name, {
    model: t,
    kafka: kafkaConnection(model, shared, resources),
    protect: model.protect,
    flink: model.flink,
    services: tenantServices(model, t, shared, resources),
  }));
  return {
    environment: model.environment,
    deployment: model.deployment,
    ...platformOutputs,
    tenants: Object.fromEntries(tenants.map((t, i) => [registered[i].name, { namespace: t.namespace, topics: t.topics, credentialsSecret: t.credentialsSecret }])),
  };
}

/** The program `pulumi up` runs: invalid config ends it with the list of problems and no stack trace. */
export function main() {
  let model: PlatformModel;
  try {
    model = loadModel();
  } catch (e) {
    if (e instanceof ConfigError || e instanceof CatalogError) throw new pulumi.RunError(e.message);
    throw e;
  }
  return deploy(model);
}
