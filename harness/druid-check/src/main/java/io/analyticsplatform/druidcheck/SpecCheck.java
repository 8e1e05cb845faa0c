package io.analyticsplatform.druidcheck;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.BeanProperty;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.InjectableValues;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.druid.indexing.kafka.KafkaIndexTaskModule;
import org.apache.druid.indexing.overlord.supervisor.SupervisorSpec;
import org.apache.druid.jackson.DefaultObjectMapper;
import org.apache.druid.math.expr.ExprMacroTable;
import org.apache.druid.query.aggregation.datasketches.hll.HllSketchModule;
import org.apache.druid.query.aggregation.datasketches.theta.SketchModule;

/**
 * `SpecCheck LABEL FILE [LABEL FILE …]`: reads each filled-in supervisor spec as Druid's overlord reads a posted
 * one (Druid's DefaultObjectMapper, the Kafka indexing and DataSketches modules) and prints `LABEL: $.path:
 * message` per problem. Exit 0 when Druid accepts every spec, 1 otherwise.
 */
public final class SpecCheck {
  private SpecCheck() {}

  /**
   * Druid ignores properties it does not know (DefaultObjectMapper: FAIL_ON_UNKNOWN_PROPERTIES off), so a typo
   * silently becomes a default (`taskCont` gives taskCount 1). Each is reported; the `type` of ioConfig and
   * tuningConfig is read by the spec's own type and ignored by the config classes.
   */
  private static final class UnknownProperties extends DeserializationProblemHandler {
    final List<String> found = new ArrayList<>();

    @Override
    public boolean handleUnknownProperty(DeserializationContext ctxt, JsonParser p, JsonDeserializer<?> deserializer, Object bean, String name)
        throws java.io.IOException {
      if (!"type".equals(name)) found.add(path(p.getParsingContext().pathAsPointer().toString()) + ": unknown property, which Druid ignores (on " + bean.getClass().getSimpleName() + ")");
      p.skipChildren();
      return true;
    }
  }

  /** `/spec/ioConfig/taskCont` -> `$.spec.ioConfig.taskCont` */
  static String path(String pointer) {
    StringBuilder sb = new StringBuilder("$");
    for (String s : pointer.split("/")) {
      if (s.isEmpty()) continue;
      sb.append(s.matches("\\d+") ? "[" + s + "]" : "." + s);
    }
    return sb.toString();
  }

  static String path(JsonMappingException e) {
    StringBuilder sb = new StringBuilder("$");
    for (JsonMappingException.Reference r : e.getPath()) {
      if (r.getFieldName() != null) sb.append('.').append(r.getFieldName());
      else if (r.getIndex() >= 0) sb.append('[').append(r.getIndex()).append(']');
    }
    return sb.toString();
  }

  /** Druid's mapper as the overlord configures it for supervisor specs, without Guice. */
  static ObjectMapper mapper() {
    ObjectMapper m = new DefaultObjectMapper();
    new KafkaIndexTaskModule().getJacksonModules().forEach(m::registerModule);
    new HllSketchModule().getJacksonModules().forEach(m::registerModule);
    new SketchModule().getJacksonModules().forEach(m::registerModule);
    m.setInjectableValues(new InjectableValues() {
      @Override
      public Object findInjectableValue(Object id, DeserializationContext ctxt, BeanProperty forProperty, Object beanInstance) {
        // Without Guice's introspector the id is the injected type's name. DataSchema needs the mapper; the
        // overlord's services (TaskStorage, TaskMaster, emitters) are used only when a supervisor is started.
        if (ObjectMapper.class.getName().equals(id)) return m;
        if (ExprMacroTable.class.getName().equals(id)) return ExprMacroTable.nil();
        return null;
      }
    });
    return m;
  }

  public static void main(String[] args) throws Exception {
    ObjectMapper m = mapper();
    int problems = 0;
    for (int i = 0; i + 1 < args.length; i += 2) {
      String label = args[i];
      UnknownProperties unknown = new UnknownProperties();
      ObjectMapper reader = m.copy().addHandler(unknown);
      List<String> out = new ArrayList<>();
      try {
        reader.readValue(Files.readString(Path.of(args[i + 1])), SupervisorSpec.class);
      } catch (JsonMappingException e) {
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        String message = cause == e ? e.getOriginalMessage() : cause.getMessage();
        out.add(path(e) + ": " + String.valueOf(message).split("\n")[0]);
      } catch (RuntimeException e) {
        out.add("$: " + e.getMessage());
      }
      out.addAll(unknown.found);
      for (String p : out) System.out.println(label + ": " + p);
      problems += out.size();
    }
    System.exit(problems == 0 ? 0 : 1);
  }
}
