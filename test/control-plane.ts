import { ChildProcess, spawn, spawnSync, SpawnSyncReturns } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { builtTools } from "./toolchain";

/** The control plane's binaries, built by scripts/real-toolchain.sh. */
export interface Toolchain {
  readonly etcd: string;
  readonly kubeApiserver: string;
  /** Core controllers only (namespace deletion, garbage collection, service-account tokens); no operator. */
  readonly kubeControllerManager: string;
  /** The same Kubernetes version as the server, so client-side behaviour (apply, diff) matches it. */
  readonly kubectl: string;
}

export function readToolchain(file?: string): Toolchain {
  const t = builtTools(["etcd", "kube-apiserver", "kube-controller-manager", "kubectl"], file);
  return { etcd: t.etcd, kubeApiserver: t["kube-apiserver"], kubeControllerManager: t["kube-controller-manager"], kubectl: t.kubectl };
}

/** What the tests read of a Kubernetes object. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string> };
}

export const identity = (o: KubeObject): string => `${o.apiVersion}/${o.kind} ${o.metadata.namespace ?? ""}/${o.metadata.name}`;
/** Objects as one kubectl input. */
export const kubeList = (items: readonly unknown[]): string => JSON.stringify({ apiVersion: "v1", kind: "List", items });

/** etcd, kube-apiserver and kube-controller-manager on loopback, with a kubeconfig for an admin (system:masters). */
export interface ControlPlane {
  readonly kubeconfig: string;
  /** kubectl against this control plane; never throws, the caller reads status and output. */
  kubectl(args: readonly string[], input?: string): SpawnSyncReturns<string>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function until(what: string, ready: () => boolean, timeoutMs: number, log: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (ready()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  const tail = fs.existsSync(log) ? fs.readFileSync(log, "utf8").split("\n").slice(-20).join("\n") : "";
  throw new Error(`${what} not ready after ${timeoutMs / 1000} s; last lines of ${log}:\n${tail}`);
}

function start(bin: string, args: readonly string[], log: string): ChildProcess {
  const out = fs.openSync(log, "w");
  return spawn(bin, args, { stdio: ["ignore", out, out] });
}

/**
 * Starts a fresh control plane in a temporary folder. Service-account tokens are signed with a key made here; the
 * API server makes its own self-signed serving certificate (--cert-dir), which the kubeconfig trusts. The
 * controller-manager finalizes deleted namespaces and collects garbage, as in any cluster. Nothing else runs: no
 * scheduler, no kubelet (so no pod ever starts), no operator.
 */
export async function startControlPlane(tools: Toolchain): Promise<ControlPlane> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "control-plane-"));
  const [etcdClient, etcdPeer, apiPort] = [await freePort(), await freePort(), await freePort()];

  const etcdLog = path.join(dir, "etcd.log");
  const etcd = start(tools.etcd, [
    "--data-dir", path.join(dir, "etcd"),
    "--listen-client-urls", `http://127.0.0.1:${etcdClient}`, "--advertise-client-urls", `http://127.0.0.1:${etcdClient}`,
    "--listen-peer-urls", `http://127.0.0.1:${etcdPeer}`, "--initial-advertise-peer-urls", `http://127.0.0.1:${etcdPeer}`,
    "--initial-cluster", `default=http://127.0.0.1:${etcdPeer}`, "--log-level", "warn",
  ], etcdLog);

  const { privateKey, publicKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
  const saKey = path.join(dir, "sa.key");
  const saPub = path.join(dir, "sa.pub");
  fs.writeFileSync(saKey, privateKey.export({ type: "pkcs8", format: "pem" }));
  fs.writeFileSync(saPub, publicKey.export({ type: "spki", format: "pem" }));
  const token = crypto.randomBytes(24).toString("hex");
  const tokens = path.join(dir, "tokens.csv");
  fs.writeFileSync(tokens, `${token},admin,admin,system:masters\n`, { mode: 0o600 });
  const certDir = path.join(dir, "certs");

  const apiLog = path.join(dir, "kube-apiserver.log");
  const apiserver = start(tools.kubeApiserver, [
    `--etcd-servers=http://127.0.0.1:${etcdClient}`,
    "--bind-address=127.0.0.1", "--advertise-address=127.0.0.1", `--secure-port=${apiPort}`, `--cert-dir=${certDir}`,
    `--service-account-key-file=${saPub}`, `--service-account-signing-key-file=${saKey}`,
    "--service-account-issuer=https://kubernetes.default.svc",
    `--token-auth-file=${tokens}`, "--authorization-mode=RBAC", "--service-cluster-ip-range=10.96.0.0/16",
    // Loopback endpoints are invalid for the kubernetes Service; nothing here needs it.
    "--endpoint-reconciler-type=none",
  ], apiLog);

  const kubeconfig = path.join(dir, "kubeconfig");
  const writeKubeconfig = (): void => fs.writeFileSync(kubeconfig, [
    "apiVersion: v1", "kind: Config", "current-context: local",
    `clusters: [{name: local, cluster: {server: "https://127.0.0.1:${apiPort}", certificate-authority: "${path.join(certDir, "apiserver.crt")}"}}]`,
    `users: [{name: admin, user: {token: "${token}"}}]`,
    "contexts: [{name: local, context: {cluster: local, user: admin}}]", "",
  ].join("\n"), { mode: 0o600 });
  const kubectl = (args: readonly string[], input?: string): SpawnSyncReturns<string> =>
    spawnSync(tools.kubectl, ["--kubeconfig", kubeconfig, ...args], { encoding: "utf8", input, maxBuffer: 256 * 1024 * 1024 });

  const processes = [apiserver, etcd];
  const stop = async (): Promise<void> => {
    for (const p of processes) {
      if (p.exitCode !== null) continue;
      const exited = new Promise((r) => p.once("exit", r));
      p.kill("SIGTERM");
      await exited;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await until("kube-apiserver", () => {
      if (!fs.existsSync(path.join(certDir, "apiserver.crt"))) return false;
      writeKubeconfig();
      return kubectl(["get", "--raw", "/readyz"]).stdout.trim() === "ok";
    }, 120_000, apiLog);
    const controllersLog = path.join(dir, "kube-controller-manager.log");
    processes.unshift(start(tools.kubeControllerManager, [
      `--kubeconfig=${kubeconfig}`, "--leader-elect=false", "--bind-address=127.0.0.1", "--secure-port=0",
      `--service-account-private-key-file=${saKey}`, `--root-ca-file=${path.join(certDir, "apiserver.crt")}`,
      "--use-service-account-credentials=false", "--cluster-cidr=10.244.0.0/16", "--service-cluster-ip-range=10.96.0.0/16",
    ], controllersLog));
  } catch (e) {
    await stop();
    throw e;
  }
  return { kubeconfig, kubectl, stop };
}

/** Server-side apply of the namespaces, then of everything else (namespaced objects need theirs first). */
export function applyNamespacesFirst(cp: ControlPlane, objects: readonly KubeObject[], flags: readonly string[] = []): SpawnSyncReturns<string>[] {
  const batches = [objects.filter((o) => o.kind === "Namespace"), objects.filter((o) => o.kind !== "Namespace")];
  return batches.map((batch) => cp.kubectl(["apply", "--server-side", ...flags, "-f", "-"], kubeList(batch)));
}

/** Applies the CRDs in `dir` (read there, never copied) and waits until the API server serves every one. */
export function installCrds(cp: ControlPlane, dir: string): void {
  if (!fs.existsSync(dir)) throw new Error(`${dir} is missing: the operators' CRDs are read there`);
  const applied = cp.kubectl(["apply", "--server-side", "-f", dir]);
  if (applied.status !== 0) throw new Error(`installing the CRDs: ${applied.stderr}`);
  const established = cp.kubectl(["wait", "--for=condition=Established", "crd", "--all", "--timeout=60s"]);
  if (established.status !== 0) throw new Error(`CRDs not established: ${established.stderr}`);
}

/**
 * Stands in for the kubelet for Jobs only, while `run` runs: no scheduler or kubelet runs here, so a Job's pods
 * would stay Pending and the Kubernetes provider would wait for the Job for ever. Each pod a Job controller created
 * is reported Succeeded through the status subresource, as a kubelet would once its container exited 0; the real
 * Job controller then completes the Job.
 */
export async function withJobPodsSucceeding<T>(cp: ControlPlane, run: () => Promise<T>): Promise<T> {
  const finish = () => {
    const got = cp.kubectl(["get", "pods", "--all-namespaces", "--field-selector=status.phase=Pending", "-o", "json"]);
    const pods = got.status === 0 ? (JSON.parse(got.stdout) as { items: { metadata: KubeObject["metadata"] & { ownerReferences?: { kind: string }[] } }[] }).items : [];
    for (const pod of pods.filter((p) => p.metadata.ownerReferences?.some((o) => o.kind === "Job"))) {
      cp.kubectl(["patch", "pod", pod.metadata.name, "-n", pod.metadata.namespace ?? "default", "--subresource=status", "--type=merge", "-p", JSON.stringify({ status: { phase: "Succeeded" } })]);
    }
  };
  const timer = setInterval(finish, 2000);
  try {
    return await run();
  } finally {
    clearInterval(timer);
  }
}
