import { createHash } from "node:crypto";
import type * as pulumiModule from "@pulumi/pulumi";
import type { MockCallArgs, MockResourceArgs, MockCallResult, MockResourceResult, Mocks } from "@pulumi/pulumi/runtime";

/** One resource as the engine received it. */
export interface RegisteredResource {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
  readonly custom: boolean;
  /** Set when the program read an existing resource (`.get`) instead of creating one. */
  readonly readId?: string;
}

export const MOCK_ACCOUNT = "123456789012";

/** The engine's marker for a value not known until the update runs (@pulumi/pulumi runtime/rpc.ts `unknownValue`). */
export const UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

function digest(text: string, length: number): string {
  return createHash("sha256").update(text).digest("hex").slice(0, length);
}

/** A deterministic stand-in for a value the provider generates: same stack and name, same value. */
export function fakeSecretValue(seed: string, length: number): string {
  let out = "";
  for (let i = 0; out.length < length; i++) out += createHash("sha256").update(`${seed}#${i}`).digest("base64url");
  return out.replace(/[-_]/g, "x").slice(0, length);
}


/**
 * Pulumi mocks that fill provider-computed values deterministically (ARNs, generated names, random
 * passwords as secrets) and record every registration. Any provider function call is unexpected: the
 * program must not depend on one, so the call mock throws.
 */
export class PlatformMocks implements Mocks {
  public readonly registered: RegisteredResource[] = [];

  /**
   * @param stackOutputs outputs of the stacks the program references (StackReference), by stack name; a
   * reference to any other stack fails.
   * @param preview as a fresh stack's first `pulumi preview`: new resources get no id and no computed
   * outputs, so what depends on them (ARNs, generated names, passwords) is unknown.
   */
  constructor(
    private readonly pulumi: typeof pulumiModule,
    private readonly region = "us-east-1",
    private readonly stackOutputs: Readonly<Record<string, Record<string, unknown>>> = {},
    private readonly preview = false,
  ) {}

  newResource(args: MockResourceArgs): MockResourceResult {
    const inputs = (this.preview ? this.wireUnknowns(args.inputs) : args.inputs) as Record<string, unknown>;
    this.registered.push({ type: args.type, name: args.name, inputs, custom: args.custom ?? true, readId: args.id || undefined });
    if (this.preview && !args.id) return { id: undefined, state: inputs };
    return { id: args.id || `${args.name}-id`, state: { ...inputs, ...this.computed(args, inputs) } };
  }

  /** Unknown values as the engine sends them to analyzers: its wire marker (runtime/rpc.ts `unknownValue`). */
  private wireUnknowns(v: unknown): unknown {
    if (this.pulumi.isUnknown(v)) return UNKNOWN_VALUE;
    if (Array.isArray(v)) return v.map((x) => this.wireUnknowns(x));
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, this.wireUnknowns(x)]));
    return v;
  }

  call(args: MockCallArgs): MockCallResult {
    throw new Error(`unexpected provider function call '${args.token}': the program must not call provider functions`);
  }

  private computed(args: MockResourceArgs, inputs: Record<string, unknown>): Record<string, unknown> {
    const arn = (service: string, resource: string, region = this.region) => `arn:aws:${service}:${region}:${MOCK_ACCOUNT}:${resource}`;
    switch (args.type) {
      case "aws:kms/key:Key": {
        const keyId = `${digest(args.name, 8)}-${digest(args.name + "1", 4)}-${digest(args.name + "2", 4)}-${digest(args.name + "3", 4)}-${digest(args.name + "4", 12)}`;
        return { keyId, arn: arn("kms", `key/${keyId}`) };
      }
      case "aws:s3/bucket:Bucket": {
        const bucket = (inputs.bucket as string | undefined) ?? `${inputs.bucketPrefix ?? args.name}${digest(args.name, 8)}`;
        return { bucket, arn: `arn:aws:s3:::${bucket}` };
      }
      case "aws:rds/instance:Instance":
        return { address: `${args.name}.c${digest(args.name, 10)}.${this.region}.rds.amazonaws.com`, arn: arn("rds", `db:${args.name}`) };
      case "aws:ec2/securityGroup:SecurityGroup":
        return { arn: arn("ec2", `security-group/sg-${digest(args.name, 17)}`) };
      case "aws:iam/role:Role":
        return { name: args.name, arn: `arn:aws:iam::${MOCK_ACCOUNT}:role/${args.name}` };
      case "random:index/randomPassword:RandomPassword":
        return {
          result: this.pulumi.secret(fakeSecretValue(args.name, Number(inputs.length ?? 32))),
          bcryptHash: this.pulumi.secret(`$2a$10$${fakeSecretValue(`${args.name}#bcrypt`, 53)}`),
        };
      case "tls:index/privateKey:PrivateKey":
        return {
          privateKeyPem: this.pulumi.secret(`-----BEGIN PRIVATE KEY-----\n${fakeSecretValue(args.name, 64)}\n-----END PRIVATE KEY-----\n`),
          privateKeyPemPkcs8: this.pulumi.secret(`-----BEGIN PRIVATE KEY-----\n${fakeSecretValue(args.name, 64)}\n-----END PRIVATE KEY-----\n`),
          publicKeyPem: `-----BEGIN PUBLIC KEY-----\n${digest(args.name, 32)}\n-----END PUBLIC KEY-----\n`,
        };
      case "tls:index/selfSignedCert:SelfSignedCert":
      case "tls:index/locallySignedCert:LocallySignedCert":
        // A fixed issue time: renders are deterministic.
        return { certPem: `-----BEGIN CERTIFICATE-----\n${digest(args.name, 48)}\n-----END CERTIFICATE-----\n`, validityStartTime: "2026-01-01T00:00:00Z" };
      case "tls:index/certRequest:CertRequest":
        return { certRequestPem: `-----BEGIN CERTIFICATE REQUEST-----\n${digest(args.name, 48)}\n-----END CERTIFICATE REQUEST-----\n` };
      case "pulumi:pulumi:StackReference": {
        const outputs = this.stackOutputs[String(inputs.name)];
        if (!outputs) throw new Error(`no outputs are known for the referenced stack '${String(inputs.name)}'`);
        return { name: inputs.name, outputs, secretOutputNames: Object.keys(outputs).filter((k) => /secret/i.test(k)) };
      }
      default:
        return {};
    }
  }
}
