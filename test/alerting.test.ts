import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import yaml from "js-yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { RuleGroup } from "../crds/monitoring";
import { RenderResult } from "../offline/render";
import { at, one, render, stackConfig } from "./harness";

// Alertmanager's routing as rendered into kube-prometheus-stack's values, judged by Alertmanager's own amtool
// (the version the chart deploys, scripts/amtool.sh): the config loads, and each alert reaches the receivers
// the runbook (docs/runbooks/README.md) names.

const RELEASE = "kubernetes:helm.sh/v3:Release";
const RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule";

function amtool(args: string[], config: unknown): { status: number; output: string } {
  const bin = process.env.AMTOOL;
  if (!bin) throw new Error("AMTOOL is not set: test/global-setup.ts should have built amtool");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "amtool-"));
  try {
    fs.writeFileSync(path.join(dir, "alertmanager.yaml"), yaml.dump(config, { lineWidth: -1, noRefs: true }));
    const r = spawnSync(bin, args.map((a) => a.replace("CONFIG", path.join(dir, "alertmanager.yaml"))), { encoding: "utf8" });
    return { status: r.status ?? -1, output: `${r.stdout}${r.stderr}`.trim() };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Receivers amtool routes a label set to, comma-separated in its order. */
function routedTo(config: unknown, labels: Readonly<Record<string, string>>): string {
  const r = amtool(["config", "routes", "test", "--config.file=CONFIG", ...Object.entries(labels).map(([k, v]) => `${k}=${v}`)], config);
  if (r.status !== 0) throw new Error(`amtool config routes test failed: ${r.output}`);
  return r.output;
}

const alertmanagerConfig = (r: RenderResult) => at(one(r, RELEASE, "kube-prometheus-stack").inputs, "values", "alertmanager", "config");
const platformAlerts = (r: RenderResult): Record<string, string>[] =>
  (at(one(r, RULE, "platform-observability-alerts").inputs, "spec", "groups") as RuleGroup[]).flatMap((g) => g.rules).map((rule) => ({ alertname: rule.alert, ...rule.labels, tenant: "acme" }));

const CHAT_URL = "https://hooks.chat.example.com/services/T000/B000/secret-token";
const STATUS_URL = "https://status.example.com/api/incidents/secret-token";

describe("Alertmanager routing (amtool)", () => {
  let prod: RenderResult;
  let dev: RenderResult;
  beforeAll(async () => {
    prod = await render("prod", stackConfig("prod", { observability: { alerting: { chatWebhookUrl: CHAT_URL, chatChannel: "#oncall", statusPageWebhookUrl: STATUS_URL } } }));
    dev = await render("dev", stackConfig("dev"));
  }, 120_000);

  it.each(["dev", "prod"])("loads in Alertmanager on %s", (stack) => {
    const r = amtool(["check-config", "CONFIG"], alertmanagerConfig(stack === "dev" ? dev : prod));
    expect(r.output).toMatch(/SUCCESS/);
    expect(r.status, r.output).toBe(0);
  });

  it("sends prod's criticals and warnings to the on-call chat, and SLA alerts to the status page as well", () => {
    const alerts = platformAlerts(prod);
    expect(alerts.filter((a) => a.sla === "true").map((a) => a.alertname)).toContain("LatencyBudgetQueryExceeded");
    for (const labels of alerts) {
      expect(routedTo(alertmanagerConfig(prod), labels), labels.alertname).toBe(labels.sla === "true" ? "status-page,oncall-chat" : "oncall-chat");
    }
    // kube-prometheus-stack's own rules carry only severity and namespace.
    expect(routedTo(alertmanagerConfig(prod), { alertname: "KubePodCrashLooping", severity: "warning", namespace: "kafka" })).toBe("oncall-chat");
    expect(routedTo(alertmanagerConfig(prod), { alertname: "KubeAPIDown", severity: "critical" })).toBe("oncall-chat");
  });

  it("keeps the heartbeat and info alerts from people", () => {
    expect(routedTo(alertmanagerConfig(prod), { alertname: "Watchdog", severity: "none" })).toBe("none");
    expect(routedTo(alertmanagerConfig(prod), { alertname: "InfoInhibitor", severity: "none" })).toBe("none");
    expect(routedTo(alertmanagerConfig(prod), { alertname: "CPUThrottlingHigh", severity: "info", namespace: "druid" })).toBe("none");
  });

  it("routes everything to none in dev, which has no on-call chat configured", () => {
    for (const labels of platformAlerts(dev)) expect(routedTo(alertmanagerConfig(dev), labels), labels.alertname).toBe("none");
  });

  it("escalates only SLA alerts that last five minutes: the status-page route waits 5m before its first message", () => {
    const routes = at(alertmanagerConfig(prod), "route", "routes") as { receiver: string; group_wait?: string; continue?: boolean }[];
    expect(routes.find((r) => r.receiver === "status-page")).toMatchObject({ group_wait: "5m", continue: true });
  });

  it("inhibits a tenant's warnings of a layer while a critical of that layer and tenant fires", () => {
    const rules = at(alertmanagerConfig(prod), "inhibit_rules") as { source_matchers: string[]; target_matchers: string[]; equal: string[] }[];
    expect(rules).toContainEqual({ source_matchers: ['severity="critical"', 'layer=~".+"'], target_matchers: ['severity="warning"'], equal: ["layer", "tenant"] });
  });

  it("delivers the URLs only through a Secret mounted into Alertmanager: never in the Helm values", () => {
    const values = JSON.stringify(one(prod, RELEASE, "kube-prometheus-stack").inputs);
    expect(values).not.toContain("secret-token");
    expect(prod.secretValues.get("monitoring/alertmanager-receivers")).toEqual({ "chat-webhook-url": CHAT_URL, "status-page-webhook-url": STATUS_URL });
    expect(at(one(prod, RELEASE, "kube-prometheus-stack").inputs, "values", "alertmanager", "alertmanagerSpec", "secrets")).toEqual(["alertmanager-receivers"]);
    const receivers = at(alertmanagerConfig(prod), "receivers") as { name: string; slack_configs?: { api_url_file: string }[]; webhook_configs?: { url_file: string }[] }[];
    expect(receivers.find((r) => r.name === "oncall-chat")?.slack_configs?.[0].api_url_file).toBe("/etc/alertmanager/secrets/alertmanager-receivers/chat-webhook-url");
    expect(receivers.find((r) => r.name === "status-page")?.webhook_configs?.[0].url_file).toBe("/etc/alertmanager/secrets/alertmanager-receivers/status-page-webhook-url");
  });

  it("refuses prod without an on-call chat, at its config path", async () => {
    await expect(render("prod", stackConfig("prod", { observability: {} }))).rejects.toThrow(/analytics-platform:observability\.alerting\.chatWebhookUrl: is required in prod/);
  });
});
