import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";

/** A private CA and a server certificate it signed: HTTPS for one in-cluster service without a cluster-wide issuer. */
export interface ServiceCertificate {
  /** PEM of the CA; clients trust it. */
  readonly caCert: pulumi.Output<string>;
  readonly certPem: pulumi.Output<string>;
  readonly keyPem: pulumi.Output<string>;
}

/**
 * ECDSA P-256 keys; the CA for 5 years, the server certificate for one, re-issued by `pulumi up` within its last
 * 30 days (earlyRenewalHours) with the same CA, so clients keep trusting it.
 */
export function serviceCertificate(name: string, args: { readonly caName: string; readonly commonName: string; readonly dnsNames: readonly string[] }, opts: pulumi.CustomResourceOptions): ServiceCertificate {
  const caKey = new tls.PrivateKey(`${name}-ca`, { algorithm: "ECDSA", ecdsaCurve: "P256" }, opts);
  const ca = new tls.SelfSignedCert(`${name}-ca`, {
    privateKeyPem: caKey.privateKeyPem,
    isCaCertificate: true,
    validityPeriodHours: 24 * 365 * 5,
    allowedUses: ["cert_signing", "crl_signing"],
    subject: { commonName: args.caName },
  }, opts);
  const serverKey = new tls.PrivateKey(`${name}-${args.commonName}`, { algorithm: "ECDSA", ecdsaCurve: "P256" }, opts);
  const csr = new tls.CertRequest(`${name}-${args.commonName}`, {
    privateKeyPem: serverKey.privateKeyPem,
    subject: { commonName: args.commonName },
    dnsNames: [...args.dnsNames],
  }, opts);
  const cert = new tls.LocallySignedCert(`${name}-${args.commonName}`, {
    certRequestPem: csr.certRequestPem,
    caPrivateKeyPem: caKey.privateKeyPem,
    caCertPem: ca.certPem,
    validityPeriodHours: 24 * 365,
    earlyRenewalHours: 24 * 30,
    allowedUses: ["digital_signature", "key_encipherment", "server_auth"],
  }, opts);
  return { caCert: ca.certPem, certPem: cert.certPem, keyPem: serverKey.privateKeyPem };
}

/** The DNS names of a Service inside the cluster, short to fully qualified. */
export function serviceDnsNames(service: string, namespace: string): string[] {
  return [service, `${service}.${namespace}`, `${service}.${namespace}.svc`, `${service}.${namespace}.svc.cluster.local`];
}
