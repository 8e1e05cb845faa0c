/**
 * Where alerts go (docs/runbooks/README.md, "Who is told"): the Alertmanager configuration, pure. The
 * receivers' URLs never appear in it: Alertmanager reads them from files of a Secret the operator mounts
 * (`alertmanagerSpec.secrets`), so Helm values and the chart's config Secret hold only paths.
 */

/** The routing decisions, resolved from config (model/observability.ts). */
export interface AlertRouting {
  /** The on-call chat (Slack-compatible webhook); absent in dev without one, where alerts stay in Alertmanager. */
  readonly chat?: { readonly channel?: string };
  /** The status page's webhook, told of SLA alerts that last over `escalateAfter`. */
  readonly statusPage: boolean;
  /** The Secret holding the URLs, mounted into Alertmanager's pods. */
  readonly secret: string;
}

/** Keys of the receivers' Secret. */
export const RECEIVER_KEYS = { chat: "chat-webhook-url", statusPage: "status-page-webhook-url" } as const;

export const RECEIVERS = { none: "none", chat: "oncall-chat", statusPage: "status-page" } as const;

/** SLA alerts carry this label (monitoring/alerts.ts). */
export const SLA_LABEL = "sla";

/** An SLA alert goes to the status page only once it has lasted this long (the escalation route's group_wait). */
export const ESCALATE_AFTER = "5m";

/**
 * Where the prometheus-operator mounts a Secret listed in `alertmanagerSpec.secrets`
 * (prometheus-operator pkg/alertmanager/statefulset.go: secretsDir + name).
 */
export function mountedSecretFile(secret: string, key: string): string {
  return `/etc/alertmanager/secrets/${secret}/${key}`;
}

interface Route {
  readonly receiver?: string;
  readonly matchers?: readonly string[];
  readonly group_by?: readonly string[];
  readonly group_wait?: string;
  readonly group_interval?: string;
  readonly repeat_interval?: string;
  readonly continue?: boolean;
  readonly routes?: readonly Route[];
}

/** The part of Alertmanager's configuration file the platform sets. */
export interface AlertmanagerConfig {
  readonly global: { readonly resolve_timeout: string };
  readonly route: Route;
  readonly inhibit_rules: readonly { readonly source_matchers: readonly string[]; readonly target_matchers: readonly string[]; readonly equal: readonly string[] }[];
  readonly receivers: readonly Record<string, unknown>[];
  readonly templates: readonly string[];
}

const CHAT_TITLE = '[{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ .Alerts.Firing | len }}{{ end }}] {{ .CommonLabels.alertname }}{{ with .CommonLabels.tenant }} (tenant {{ . }}){{ end }}';
const CHAT_TEXT = "{{ range .Alerts }}*{{ .Labels.severity }}*: {{ .Annotations.summary }}\n{{ .Annotations.description }}\n{{ with .Annotations.runbook_url }}Runbook: {{ . }}{{ end }}\n{{ end }}";

/** Alertmanager's configuration for the platform's routing. */
export function alertmanagerConfig(r: AlertRouting): AlertmanagerConfig {
  const chat = r.chat ? RECEIVERS.chat : RECEIVERS.none;
  const routes: Route[] = [
    // kube-prometheus-stack's always-firing heartbeat and its info-level inhibitor are not for people.
    { receiver: RECEIVERS.none, matchers: ['alertname=~"Watchdog|InfoInhibitor"'] },
    { receiver: RECEIVERS.none, matchers: ['severity="info"'] },
  ];
  if (r.statusPage) {
    // group_wait: a group is first sent after it; an SLA alert resolved before then is never sent (Alertmanager's
    // dedup stage drops a first notification without firing alerts), so only breaches lasting over 5 minutes escalate.
    routes.push({ receiver: RECEIVERS.statusPage, matchers: [`${SLA_LABEL}="true"`], group_wait: ESCALATE_AFTER, repeat_interval: "1h", continue: true });
  }
  routes.push(
    { receiver: chat, matchers: ['severity="critical"'], group_wait: "10s", repeat_interval: "1h" },
    { receiver: chat, matchers: ['severity="warning"'], repeat_interval: "4h" },
  );
  const receivers: Record<string, unknown>[] = [{ name: RECEIVERS.none }];
  if (r.chat) {
    receivers.push({
      name: RECEIVERS.chat,
      slack_configs: [{
        api_url_file: mountedSecretFile(r.secret, RECEIVER_KEYS.chat),
        ...(r.chat.channel ? { channel: r.chat.channel } : {}),
        send_resolved: true,
        title: CHAT_TITLE,
        text: CHAT_TEXT,
      }],
    });
  }
  if (r.statusPage) {
    receivers.push({ name: RECEIVERS.statusPage, webhook_configs: [{ url_file: mountedSecretFile(r.secret, RECEIVER_KEYS.statusPage), send_resolved: true }] });
  }
  return {
    global: { resolve_timeout: "5m" },
    route: { receiver: chat, group_by: ["alertname", "layer", "tenant"], group_wait: "30s", group_interval: "5m", repeat_interval: "4h", routes },
    inhibit_rules: [
      // A platform critical silences the warnings of its layer and tenant: one page for one cause.
      { source_matchers: ['severity="critical"', 'layer=~".+"'], target_matchers: ['severity="warning"'], equal: ["layer", "tenant"] },
      // kube-prometheus-stack's own alerts come in warning/critical pairs of one name.
      { source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ["namespace", "alertname"] },
      { source_matchers: ['alertname="InfoInhibitor"'], target_matchers: ['severity="info"'], equal: ["namespace"] },
    ],
    receivers,
    templates: ["/etc/alertmanager/config/*.tmpl"],
  };
}
