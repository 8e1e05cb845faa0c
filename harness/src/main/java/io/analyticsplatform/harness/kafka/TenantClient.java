package io.analyticsplatform.harness.kafka;

import io.analyticsplatform.harness.Plan;
import java.nio.file.Path;
import java.io.IOException;
import java.util.Properties;

/**
 * A tenant's Kafka client configuration exactly as its rendered `kafka-credentials` Secret gives it:
 * bootstrap servers, security protocol, SASL mechanism and JAAS line; `ca.crt` is the verify cluster's CA
 * (the offline render's is a placeholder).
 */
public record TenantClient(String tenant, String namespace, String prefix, String username, Properties properties) {
  public static TenantClient of(Plan plan, io.analyticsplatform.harness.VerifyContext.Tenant t, Path caFile) throws IOException {
    String ns = t.namespace();
    String secret = t.credentialsSecret();
    Properties p = new Properties();
    for (String key : new String[] {"bootstrap.servers", "security.protocol", "sasl.mechanism", "sasl.jaas.config"}) {
      p.put(key, plan.secretValue(ns, secret, key));
    }
    p.put("ssl.truststore.type", "PEM");
    p.put("ssl.truststore.location", caFile.toString());
    return new TenantClient(t.name(), ns, t.kafkaPrefix(), plan.secretValue(ns, secret, "username"), p);
  }

  public Properties with(Object... keyValues) {
    Properties p = new Properties();
    p.putAll(properties);
    for (int i = 0; i < keyValues.length; i += 2) p.put(keyValues[i], keyValues[i + 1]);
    return p;
  }
}
