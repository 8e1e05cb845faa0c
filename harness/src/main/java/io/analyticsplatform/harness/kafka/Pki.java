package io.analyticsplatform.harness.kafka;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The certificates Strimzi would generate: a cluster CA for the brokers' listeners, a clients CA for mTLS
 * users, broker certificates (subject `CN=<cluster>-kafka, O=io.strimzi`, SANs of the broker and bootstrap
 * service names) and user certificates (`CN=<user>`). Local stand-ins: the plan's `ca.crt` is Strimzi's, made
 * in the cluster, so verify hands its own CA to every client in its place.
 */
public final class Pki {
  /** A key and its certificate; `issuer` is null for a self-signed CA. */
  public record Issued(KeyPair key, X509Certificate cert, Issued issuer) {
    /** PEM of the certificate and its chain up to (not including) the root. */
    public String chainPem() throws IOException {
      StringBuilder sb = new StringBuilder(pem(cert));
      for (Issued i = issuer; i != null && i.issuer != null; i = i.issuer) sb.append(pem(i.cert));
      return sb.toString();
    }

    public String certPem() throws IOException {
      return pem(cert);
    }

    /** Unencrypted PKCS#8, which Kafka's PEM keystores accept without a key password. */
    public String keyPem() throws IOException {
      StringWriter w = new StringWriter();
      try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
        pw.writeObject(new JcaPKCS8Generator(key.getPrivate(), null));
      }
      return w.toString();
    }

    /** key + chain in one file: a PEM keystore for `ssl.keystore.location`. */
    public Path writeKeystore(Path file) throws IOException {
      Files.writeString(file, keyPem() + chainPem());
      return file;
    }
  }

  private static final SecureRandom RANDOM = new SecureRandom();

  private Pki() {}

  public static Issued ca(String subject) throws GeneralSecurityException, IOException {
    KeyPair key = keyPair();
    return new Issued(key, sign(new X500Name(subject), key, new X500Name(subject), key, List.of(), true), null);
  }

  public static Issued issue(Issued ca, String subject, List<GeneralName> sans) throws GeneralSecurityException, IOException {
    KeyPair key = keyPair();
    return new Issued(key, sign(new X500Name(subject), key, X500Name.getInstance(ca.cert.getSubjectX500Principal().getEncoded()), ca.key, sans, false), ca);
  }

  public static GeneralName dns(String name) {
    return new GeneralName(GeneralName.dNSName, name);
  }

  public static GeneralName ip(String address) {
    return new GeneralName(GeneralName.iPAddress, address);
  }

  private static KeyPair keyPair() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
    return g.generateKeyPair();
  }

  private static X509Certificate sign(X500Name subject, KeyPair key, X500Name issuer, KeyPair issuerKey, List<GeneralName> sans, boolean ca)
      throws GeneralSecurityException, IOException {
    Instant now = Instant.now();
    X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, new BigInteger(64, RANDOM), Date.from(now.minus(Duration.ofHours(1))),
        Date.from(now.plus(Duration.ofDays(2))), subject, key.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
    b.addExtension(Extension.keyUsage, true, new KeyUsage(ca ? KeyUsage.keyCertSign | KeyUsage.cRLSign : KeyUsage.digitalSignature | KeyUsage.keyEncipherment | KeyUsage.keyAgreement));
    if (!sans.isEmpty()) b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(GeneralName[]::new)));
    try {
      return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey.getPrivate())));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  static String pem(Object o) throws IOException {
    StringWriter w = new StringWriter();
    try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
      pw.writeObject(o);
    }
    return w.toString();
  }
}
