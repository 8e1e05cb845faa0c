import * as pulumi from "@pulumi/pulumi";
import { rawConfigFromEngine } from "../config/load";
import { ConfigError, parseConfig } from "../config/validate";
import { CatalogError, knownNames, loadCatalog } from "../jobs/catalog";
import { tenantIngestionProblems } from "../jobs/druid-specs";
import { tenantJobProblems } from "../jobs/sql-validation";
import { buildModel, PlatformModel } from "../model/platform-model";
import { Platform } from "./platform";
import { Tenant } from "./tenant";

/**
 * Reads this stack's config from the engine, validates it, resolves the model and checks every tenant's
 * job scripts. Registers nothing: any problem throws ConfigError before a resource exists.
 */
export function loadModel(): PlatformModel {
  const catalog = loadCatalog();
  const config = parseConfig(rawConfigFromEngine(pulumi.runtime.allConfig()), knownNames(catalog));
  const model = buildModel(config, pulumi.getStack(), catalog);
  const problems = [...tenantJobProblems(model.tenants), ...tenantIngestionProblems(model.tenants)];
  if (problems.length > 0) throw new ConfigError(problems, "jobs or ingestion specs");
  return model;
}

/** Registers the whole platform for a resolved model and returns the stack outputs. */
export function deploy(model: PlatformModel) {
  const platform = new Platform("platform", { model });
  const tenants = model.tenants.map((t) => new Tenant(t.name, {
    model: t,
    kafka: platform.kafkaConnection,
    protect: model.protect,
    flink: model.flink,
    services: platform.tenantServices(t.name),
  }));
  return {
    environment: model.environment,
    kafkaBootstrap: platform.kafka.bootstrapServers,
    buckets: platform.buckets,
    tenants: Object.fromEntries(tenants.map((t, i) => [model.tenants[i].name, { namespace: t.namespace, topics: t.topics, credentialsSecret: t.credentialsSecret }])),
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
