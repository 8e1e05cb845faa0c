package io.analyticsplatform.avrocheck;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaParseException;

/**
 * `SchemaCheck REQUEST.json`: each tenant schema parsed by Avro's own Schema.Parser, then checked against its
 * earlier versions by Avro's SchemaCompatibility under the subject's compatibility mode, as a registry checks a
 * new version (BACKWARD: the new schema reads what the old wrote; FORWARD: the old reads what the new writes;
 * FULL: both; *_TRANSITIVE: against every earlier version, not only the latest). Prints `file: message` per
 * problem, naming the field that breaks; exit 0 when every schema passes, 1 otherwise.
 */
public final class SchemaCheck {
  private SchemaCheck() {}

  /** One schema to judge: its file, text, mode and earlier versions (newest first), each labelled by where it is from. */
  record Request(String file, String schema, String compatibility, List<Version> previous) {}

  record Version(String label, String schema) {}

  public static void main(String[] args) throws IOException {
    ObjectMapper mapper = new ObjectMapper();
    List<String> problems = new ArrayList<>();
    for (JsonNode n : mapper.readTree(Path.of(args[0]).toFile())) {
      List<Version> previous = new ArrayList<>();
      for (JsonNode v : n.path("previous")) previous.add(new Version(v.get("label").asText(), v.get("schema").asText()));
      problems.addAll(problems(new Request(n.get("file").asText(), n.get("schema").asText(), n.get("compatibility").asText(), previous)));
    }
    problems.forEach(System.out::println);
    System.exit(problems.isEmpty() ? 0 : 1);
  }

  static List<String> problems(Request r) {
    Schema current;
    try {
      current = new Schema.Parser().parse(r.schema());
    } catch (SchemaParseException e) {
      return List.of(r.file() + where(e) + ": not a valid Avro schema: " + e.getMessage());
    }
    if (current.getType() != Schema.Type.RECORD) return List.of(r.file() + ": the value schema must be an Avro record, not " + current.getType());
    List<String> out = new ArrayList<>();
    String mode = r.compatibility();
    boolean transitive = mode.endsWith("_TRANSITIVE");
    String base = transitive ? mode.substring(0, mode.length() - "_TRANSITIVE".length()) : mode;
    List<Version> against = transitive ? r.previous() : r.previous().stream().limit(1).toList();
    for (Version v : against) {
      Schema old;
      try {
        old = new Schema.Parser().parse(v.schema());
      } catch (SchemaParseException e) {
        // An earlier version the registry could not have accepted: nothing to be compatible with.
        continue;
      }
      if (base.equals("BACKWARD") || base.equals("FULL")) out.addAll(check(r, v, "BACKWARD", current, old, "a reader of the new schema cannot read data written with it"));
      if (base.equals("FORWARD") || base.equals("FULL")) out.addAll(check(r, v, "FORWARD", old, current, "its readers cannot read data written with the new schema"));
    }
    return out;
  }

  private static List<String> check(Request r, Version v, String direction, Schema reader, Schema writer, String meaning) {
    List<String> out = new ArrayList<>();
    JsonNode readerJson = json(reader);
    for (Incompatibility i : SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getResult().getIncompatibilities()) {
      out.add(r.file() + ": breaks " + r.compatibility() + " compatibility with its version " + v.label() + " (" + meaning + "): field '"
          + fieldPath(readerJson, i.getLocation()) + "' (" + direction.toLowerCase() + ", " + i.getLocation() + "): " + i.getType() + ": " + i.getMessage());
    }
    return out;
  }

  private static JsonNode json(Schema s) {
    try {
      return new ObjectMapper().readTree(s.toString());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The dotted field names along a JSON pointer into a schema (`/fields/1/type/fields/0/type` -> `address.street`),
   * as SchemaCompatibility's locations point into the reader schema; the record itself when it names no field.
   */
  static String fieldPath(JsonNode schema, String pointer) {
    List<String> names = new ArrayList<>();
    JsonNode node = schema;
    String[] parts = pointer.split("/");
    for (int i = 1; i < parts.length && node != null; i++) {
      String part = parts[i].replace("~1", "/").replace("~0", "~");
      node = node.isArray() ? node.get(Integer.parseInt(part)) : node.get(part);
      if ("fields".equals(part) && i + 1 < parts.length && node != null) {
        node = node.get(Integer.parseInt(parts[++i]));
        if (node != null && node.has("name")) names.add(node.get("name").asText());
      }
    }
    return names.isEmpty() ? "(record)" : String.join(".", names);
  }

  /** `:line:column` of a JSON syntax error, or nothing. */
  private static String where(SchemaParseException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof JsonProcessingException j && j.getLocation() != null) {
        JsonLocation l = j.getLocation();
        return ":" + l.getLineNr() + ":" + l.getColumnNr();
      }
    }
    return "";
  }
}
