import { StackConfig } from "../config/types";
import { Dashboard } from "../monitoring/dashboards";
import { AlertThresholds } from "../monitoring/alerts";
import { AlertRouting } from "../monitoring/routes";
import { ENVIRONMENT_DEFAULTS, OBSERVABILITY_DEFAULTS } from "./defaults";
import { platformNaming } from "./naming";

export interface ObservabilityModel {
  readonly enabled: boolean;
  readonly namespace: string;
  readonly prometheusRetention: string;
  readonly prometheusStorage: string;
  readonly replicas: number;
  readonly thresholds: AlertThresholds;
  readonly runbookBaseUrl: string;
  readonly dashboards: readonly Dashboard[];
  /** A Pushgateway for Druid's peons: when Druid runs (and observability is on). */
  readonly pushgateway: boolean;
  readonly routing: AlertRouting;
  /** The receivers' URLs from config (secrets: the component delivers them only as a Kubernetes Secret). */
  readonly receiverUrls: { readonly chat?: string; readonly statusPage?: string };
}

/** The Pushgateway's in-cluster URL. */
export function pushgatewayUrl(): string {
  return `http://${platformNaming.pushgatewayService}.${platformNaming.monitoringNamespace}.svc:${OBSERVABILITY_DEFAULTS.pushgatewayPort}`;
}

/** `druid`: whether Druid runs, so its peons need the Pushgateway. */
export function buildObservability(config: StackConfig, dashboards: readonly Dashboard[], druid: boolean): ObservabilityModel {
  const env = ENVIRONMENT_DEFAULTS[config.environment].observability;
  const o = config.observability ?? {};
  const enabled = o.enabled ?? true;
  const a = o.alerting ?? {};
  return {
    enabled,
    pushgateway: enabled && druid,
    namespace: platformNaming.monitoringNamespace,
    prometheusRetention: o.prometheusRetention ?? env.prometheusRetention,
    prometheusStorage: o.prometheusStorage ?? env.prometheusStorage,
    replicas: env.replicas,
    thresholds: { ...env.thresholds, ...o.thresholds },
    runbookBaseUrl: o.runbookBaseUrl ?? OBSERVABILITY_DEFAULTS.runbookBaseUrl,
    dashboards,
    routing: {
      chat: a.chatWebhookUrl ? { channel: a.chatChannel } : undefined,
      statusPage: a.statusPageWebhookUrl !== undefined,
      secret: platformNaming.alertReceiversSecret,
    },
    receiverUrls: { chat: a.chatWebhookUrl, statusPage: a.statusPageWebhookUrl },
  };
}
