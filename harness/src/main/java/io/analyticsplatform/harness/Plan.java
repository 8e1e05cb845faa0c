package io.analyticsplatform.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What `npm run render` wrote: every Kubernetes object of the plan (`manifests/*.yaml`), the values of its Helm
 * releases (`resources.json`), and the values of its Secrets. Rendered Secrets show `[secret]`; verify gets their values — the offline render's deterministic
 * stand-ins for what `@pulumi/random` generates at `pulumi up` — from the VerifyContext.
 */
public final class Plan {
  public static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  public static final ObjectMapper JSON = new ObjectMapper();
  public static final String TENANT_LABEL = "analytics-platform.io/tenant";

  private static final String HELM_RELEASE = "kubernetes:helm.sh/v3:Release";

  private final List<JsonNode> objects;
  private final List<JsonNode> resources;
  private final Map<String, Map<String, String>> secrets;

  private Plan(List<JsonNode> objects, List<JsonNode> resources, Map<String, Map<String, String>> secrets) {
    this.objects = objects;
    this.resources = resources;
    this.secrets = secrets;
  }

  public static Plan load(Path dir, VerifyContext context) throws IOException {
    List<JsonNode> objects = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir.resolve("manifests"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) objects.add(YAML.readTree(f.toFile()));
    }
    List<JsonNode> resources = new ArrayList<>();
    JSON.readTree(dir.resolve("resources.json").toFile()).forEach(resources::add);
    return new Plan(objects, resources, context.secrets());
  }

  /** The values of a rendered Helm release (`name` as the program registers it), as Helm would get them. */
  public JsonNode helmValues(String name) {
    return resources.stream().filter(r -> HELM_RELEASE.equals(r.path("type").asText()) && name.equals(r.path("name").asText()))
        .findFirst().map(r -> r.path("inputs").path("values"))
        .orElseThrow(() -> new PlanException("the plan has no Helm release " + name));
  }

  public List<JsonNode> all(String kind) {
    return objects.stream().filter(o -> kind.equals(o.path("kind").asText())).toList();
  }

  public Optional<JsonNode> find(String kind, String namespace, String name) {
    return all(kind).stream()
        .filter(o -> namespace.equals(o.path("metadata").path("namespace").asText()) && name.equals(o.path("metadata").path("name").asText()))
        .findFirst();
  }

  public JsonNode get(String kind, String namespace, String name) {
    return find(kind, namespace, name).orElseThrow(() -> new PlanException("the plan has no " + kind + " " + namespace + "/" + name));
  }

  /** A key of a rendered Secret, as the cluster would hold it. */
  public String secretValue(String namespace, String name, String key) {
    get("Secret", namespace, name);
    String value = secrets.getOrDefault(namespace + "/" + name, Map.of()).get(key);
    if (value == null) throw new PlanException("Secret " + namespace + "/" + name + " has no key " + key);
    return value;
  }

  public static String name(JsonNode o) {
    return o.path("metadata").path("name").asText();
  }

  public static String namespace(JsonNode o) {
    return o.path("metadata").path("namespace").asText();
  }

  public static String tenant(JsonNode o) {
    return o.path("metadata").path("labels").path(TENANT_LABEL).asText(null);
  }

  public static ObjectNode object() {
    return JSON.createObjectNode();
  }

  /** The plan does not hold what verify needs: a failure of the plan, not of the harness. */
  public static final class PlanException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PlanException(String message) {
      super(message);
    }
  }
}
