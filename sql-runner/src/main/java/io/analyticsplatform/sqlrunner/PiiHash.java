package io.analyticsplatform.sqlrunner;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.functions.FunctionContext;
import org.apache.flink.table.functions.ScalarFunction;

/**
 * {@code PII_HASH(value)}: a personal-data field as the tenant's salted SHA-256 (HMAC-SHA256 keyed by the
 * tenant's salt, lowercase hex), so the same person hashes alike across the tenant's jobs and stores, and
 * unlike across tenants. NULL stays NULL.
 *
 * <p>The salt is read from {@code PII_SALT} where the function runs, on the TaskManagers (the tenant's
 * {@code pii-salt} Secret in the pod's environment). A salt written into the SQL instead would be in the job
 * graph and in every operator name Flink's web UI and logs show ({@code Calc(select=[SHA256(CONCAT('…'…}).
 * Without a salt the job fails when it starts: an unsalted hash of an id is undone by hashing every id.
 */
public final class PiiHash extends ScalarFunction {
  public static final String NAME = "PII_HASH";
  public static final String SALT_ENV = "PII_SALT";
  private static final String ALGORITHM = "HmacSHA256";

  private transient Mac mac;

  /** Registers the platform's PII functions (this one and PiiMask's) in the environment, once; the runner does so for every script. */
  public static void register(TableEnvironment tEnv) {
    for (String f : tEnv.listUserDefinedFunctions()) if (f.equalsIgnoreCase(NAME)) return;
    tEnv.createTemporarySystemFunction(NAME, PiiHash.class);
    tEnv.createTemporarySystemFunction(PiiMask.NAME, PiiMask.class);
  }

  /** The tenant's keyed hash, from the salt in this process's environment. */
  static Mac keyed() throws GeneralSecurityException {
    Mac mac = Mac.getInstance(ALGORITHM);
    mac.init(new SecretKeySpec(salt(System.getenv()).getBytes(StandardCharsets.UTF_8), ALGORITHM));
    return mac;
  }

  static String hex(Mac mac, String value) {
    return HexFormat.of().formatHex(mac.doFinal(value.getBytes(StandardCharsets.UTF_8)));
  }

  /** The salt from an environment; its absence is the job's failure, with what to do about it. */
  static String salt(Map<String, String> env) {
    String salt = env.get(SALT_ENV);
    if (salt == null || salt.isEmpty()) {
      throw new IllegalStateException(NAME + " and " + PiiMask.NAME + " need the tenant's salt in " + SALT_ENV
          + " (Secret pii-salt): the platform gives it to the masking jobs of a tenant whose contract declares PII");
    }
    return salt;
  }

  @Override
  public void open(FunctionContext context) throws GeneralSecurityException {
    mac = keyed();
  }

  public String eval(String value) {
    return value == null ? null : hex(mac, value);
  }
}
