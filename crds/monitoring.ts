/** The parts of prometheus-operator 0.93's `monitoring.coreos.com/v1` API this program uses. */
export const MONITORING_API_VERSION = "monitoring.coreos.com/v1";

export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
}

export interface RelabelConfig {
  readonly sourceLabels?: readonly string[];
  readonly regex?: string;
  readonly targetLabel?: string;
  readonly replacement?: string;
  readonly action?: "replace" | "keep" | "drop" | "labeldrop";
}

/** A key of a Secret in the monitor's own namespace. */
export interface SecretKeySelector {
  readonly name: string;
  readonly key: string;
}

export interface PodMetricsEndpoint {
  readonly port?: string;
  readonly portNumber?: number;
  readonly path: string;
  readonly interval: string;
  /** Keep the scraped series' own job and instance labels (a Pushgateway's pushers). */
  readonly honorLabels?: boolean;
  readonly scheme?: "http" | "https";
  /** Verify the target with a CA from a Secret in the monitor's namespace, for this name. */
  readonly tlsConfig?: { readonly ca: { readonly secret: SecretKeySelector }; readonly serverName: string };
  readonly basicAuth?: { readonly username: SecretKeySelector; readonly password: SecretKeySelector };
  readonly relabelings?: readonly RelabelConfig[];
  readonly metricRelabelings?: readonly RelabelConfig[];
}

export interface PodMonitorSpec {
  readonly selector: LabelSelector;
  readonly namespaceSelector: { readonly matchNames: readonly string[] };
  readonly podMetricsEndpoints: readonly PodMetricsEndpoint[];
}

export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

export interface RuleGroup {
  readonly name: string;
  readonly rules: readonly AlertRule[];
}

export interface PrometheusRuleSpec {
  readonly groups: readonly RuleGroup[];
}
