package io.analyticsplatform.sqlrunner;

import java.security.GeneralSecurityException;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonProcessingException;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.flink.table.functions.FunctionContext;
import org.apache.flink.table.functions.ScalarFunction;

/**
 * {@code PII_MASK_JSON(payload, fields)}: a JSON record with its personal data masked, every other field as it
 * came (fields no job declares included). {@code fields} is the contract's list, {@code name:hash,name:drop}: a
 * {@code hash} field becomes PII_HASH of its text (a nested value, of its JSON), a {@code drop} field is removed.
 * A payload that is not a JSON object gives NULL: it cannot be masked, and the DLQ router has it already.
 */
public final class PiiMask extends ScalarFunction {
  public static final String NAME = "PII_MASK_JSON";
  private static final ObjectMapper JSON = new ObjectMapper();

  private transient Mac mac;
  private transient Map<String, Map<String, String>> parsed;

  /** `a:hash,b:drop` as field → action; anything else is the script's error, named. */
  static Map<String, String> fields(String spec) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String entry : spec.split(",")) {
      String[] kv = entry.trim().split(":", -1);
      if (kv.length != 2 || kv[0].isBlank() || !(kv[1].equals("hash") || kv[1].equals("drop"))) {
        throw new IllegalArgumentException(NAME + ": '" + entry.trim() + "' is not <field>:hash or <field>:drop");
      }
      out.put(kv[0], kv[1]);
    }
    return out;
  }

  @Override
  public void open(FunctionContext context) throws GeneralSecurityException {
    mac = PiiHash.keyed();
    parsed = new LinkedHashMap<>();
  }

  public String eval(String payload, String spec) throws JsonProcessingException {
    if (payload == null) return null;
    JsonNode node;
    try {
      node = JSON.readTree(payload);
    } catch (JsonProcessingException e) {
      return null;
    }
    if (!(node instanceof ObjectNode record)) return null;
    for (Map.Entry<String, String> f : parsed.computeIfAbsent(spec, PiiMask::fields).entrySet()) {
      JsonNode value = record.get(f.getKey());
      if (value == null) continue;
      if (f.getValue().equals("drop")) record.remove(f.getKey());
      else if (!value.isNull()) record.put(f.getKey(), PiiHash.hex(mac, value.isValueNode() ? value.asText() : JSON.writeValueAsString(value)));
    }
    return JSON.writeValueAsString(record);
  }
}
