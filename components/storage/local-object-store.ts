import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ChartDefault } from "../../model/defaults";
import { platformLabels } from "../../model/labels";
import { LOCAL_ENDPOINT, platformNaming } from "../../model/naming";
import { helmRelease, namespace } from "../k8s";

export interface LocalStoreClient {
  /** MinIO user name (the access key), also used in resource names. */
  readonly name: string;
  /** Buckets the client may use, each with the key prefix inside it ("" for the whole bucket). */
  readonly grants: readonly { readonly bucket: string; readonly prefix: string }[];
}

export interface LocalObjectStoreArgs {
  readonly chart: ChartDefault;
  readonly buckets: readonly string[];
  readonly clients: readonly LocalStoreClient[];
  readonly storageSize: string;
  /** Retain the store's volume claim when the release is removed (prod-like local clusters). */
  readonly protect: boolean;
}

/** An S3-compatible store (MinIO) inside the cluster for `cloud: local`; every credential generated. */
export class LocalObjectStore extends pulumi.ComponentResource {
  public readonly endpoint: string;
  /** Per client: its generated secret key (a Pulumi secret); the owner of the workload's namespace writes it there. */
  public readonly secretKeys: Readonly<Record<string, pulumi.Output<string>>>;

  constructor(name: string, args: LocalObjectStoreArgs, opts?: pulumi.ComponentResourceOptions) {
    super("analytics-platform:storage:LocalObjectStore", name, {}, opts);
    const labels = platformLabels("object-store");
    const ns = namespace(platformNaming.objectStoreNamespace, labels, { parent: this });
    const nsName = ns.metadata.name;

    const rootPassword = new random.RandomPassword(`${name}-root`, { length: 32, special: false }, { parent: this });
    const root = new k8s.core.v1.Secret(`${name}-root`, {
      metadata: { name: "minio-root", namespace: nsName, labels },
      stringData: { rootUser: "platform-admin", rootPassword: rootPassword.result },
    }, { parent: this });

    const users = args.clients.map((client) => {
      const password = new random.RandomPassword(`${name}-${client.name}`, { length: 40, special: false }, { parent: this });
      const storeSecret = new k8s.core.v1.Secret(`${name}-${client.name}-user`, {
        metadata: { name: `minio-user-${client.name}`, namespace: nsName, labels },
        stringData: { secretKey: password.result },
      }, { parent: this });
      return { client, storeSecret, password };
    });

    helmRelease("minio", {
      chart: args.chart,
      namespace: nsName,
      values: {
        mode: "standalone",
        existingSecret: "minio-root",
        persistence: { enabled: true, size: args.storageSize, annotations: args.protect ? { "helm.sh/resource-policy": "keep" } : {} },
        resources: { requests: { cpu: "250m", memory: "1Gi" } },
        buckets: args.buckets.map((b) => ({ name: b, policy: "none", purge: false, versioning: true })),
        policies: users.map(({ client }) => ({
          name: `${client.name}-rw`,
          statements: client.grants.flatMap((g) => [
            { resources: [`arn:aws:s3:::${g.bucket}`], actions: ["s3:ListBucket", "s3:GetBucketLocation"] },
            { resources: [`arn:aws:s3:::${g.bucket}/${g.prefix}*`], actions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"] },
          ]),
        })),
        users: users.map(({ client, storeSecret }) => ({
          accessKey: client.name,
          existingSecret: storeSecret.metadata.name,
          existingSecretKey: "secretKey",
          policy: `${client.name}-rw`,
        })),
      },
    }, { parent: this, dependsOn: [root, ...users.map((u) => u.storeSecret)] });

    this.endpoint = LOCAL_ENDPOINT;
    this.secretKeys = Object.fromEntries(users.map((u) => [u.client.name, u.password.result]));
    this.registerOutputs({ endpoint: this.endpoint });
  }
}
