package io.analyticsplatform.druidcheck;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.apache.druid.data.input.InputEntityReader;
import org.apache.druid.data.input.InputFormat;
import org.apache.druid.data.input.InputRow;
import org.apache.druid.data.input.InputRowSchema;
import org.apache.druid.data.input.impl.ByteEntity;
import org.apache.druid.data.input.impl.JsonInputFormat;
import org.apache.druid.indexing.input.InputRowSchemas;
import org.apache.druid.indexing.overlord.supervisor.SupervisorSpec;
import org.apache.druid.indexing.seekablestream.supervisor.SeekableStreamSupervisorSpec;
import org.apache.druid.java.util.common.parsers.CloseableIterator;
import org.apache.druid.java.util.common.parsers.ParseException;
import org.apache.druid.segment.indexing.DataSchema;
import org.apache.druid.segment.transform.TransformingInputEntityReader;

/**
 * `RecordCheck SPEC RECORDS OUT`: parses Kafka record values (RECORDS: a JSON array of strings) the way a Kafka
 * indexing task of the supervisor spec SPEC does, with its inputFormat, timestampSpec, dimensions and
 * transformSpec, one record at a time. OUT gets, per record, its rows (timestamp and dimension values), or
 * Druid's parse error: what the task counts as unparseable.
 */
public final class RecordCheck {
  private RecordCheck() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: RecordCheck SPEC.json RECORDS.json OUT.json");
      System.exit(64);
    }
    ObjectMapper m = SpecCheck.mapper();
    SeekableStreamSupervisorSpec spec = (SeekableStreamSupervisorSpec) m.readValue(Files.readString(Path.of(args[0])), SupervisorSpec.class);
    JsonNode records = m.readTree(Path.of(args[1]).toFile());
    ArrayNode out = m.createArrayNode();
    Path tmp = Files.createTempDirectory("druid-records");
    for (JsonNode r : records) out.add(parse(m, spec, r.asText(), tmp));
    m.writeValue(Path.of(args[2]).toFile(), out);
  }

  /** One record: a stream task reads each Kafka record's value as one entity, never split by lines. */
  static ObjectNode parse(ObjectMapper m, SeekableStreamSupervisorSpec spec, String value, Path tmp) {
    DataSchema schema = spec.getDataSchema();
    // A stream record is one JSON value, not lines (SeekableStreamIndexTaskIOConfig applies the same).
    InputFormat format = JsonInputFormat.withLineSplittable(spec.getIoConfig().getInputFormat(), false);
    InputRowSchema rowSchema = InputRowSchemas.fromDataSchema(schema);
    ObjectNode result = m.createObjectNode();
    ArrayNode rows = result.putArray("rows");
    InputEntityReader reader = new TransformingInputEntityReader(
        format.createReader(rowSchema, new ByteEntity(value.getBytes(StandardCharsets.UTF_8)), tmp.toFile()), schema.getTransformSpec().toTransformer());
    try (CloseableIterator<InputRow> it = reader.read()) {
      while (it.hasNext()) {
        InputRow row = it.next();
        if (row == null) continue;
        ObjectNode n = rows.addObject().put("timestamp", Instant.ofEpochMilli(row.getTimestampFromEpoch()).toString());
        ObjectNode dims = n.putObject("dimensions");
        for (String d : schema.getDimensionsSpec().getDimensionNames()) {
          Object raw = row.getRaw(d);
          if (raw != null) dims.put(d, String.valueOf(raw));
        }
      }
    } catch (ParseException e) {
      result.put("error", String.valueOf(e.getMessage()).lines().findFirst().orElse("unparseable"));
    } catch (Exception e) {
      result.put("error", e.getClass().getSimpleName() + ": " + e.getMessage());
    }
    return result;
  }
}
