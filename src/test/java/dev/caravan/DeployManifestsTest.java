package dev.caravan;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every manifest in deploy/ and every kamelet in kamelets/ against its schema, offline: the Camel K v2.10 CRD schemas
 * (Integration, Kamelet; deploy/schemas) and the Kubernetes schemas in fabric8's model jars. Unknown fields are
 * errors, as a typo in a manifest is the usual mistake (the schemas themselves leave objects open). Then what the
 * gateway needs of them: two replicas or more, the health probes, a non-root user, mounts where the image looks.
 */
class DeployManifestsTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SchemaRegistry SCHEMAS = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4);

    private record Manifest(Path file, JsonNode doc) {
        String kind() {
            return doc.path("kind").asText();
        }
    }

    private static List<Manifest> manifests() throws Exception {
        List<Path> files;
        try (Stream<Path> deploy = Files.walk(Path.of("deploy")); Stream<Path> kamelets = Files.list(Path.of("kamelets"))) {
            files = Stream.concat(deploy, kamelets).filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        }
        List<Manifest> all = new ArrayList<>();
        for (Path f : files) {
            for (Iterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(f.toFile()); docs.hasNext(); ) {
                JsonNode doc = docs.next();
                if (doc != null && !doc.isNull() && !doc.isEmpty()) {
                    all.add(new Manifest(f, doc));
                }
            }
        }
        return all;
    }

    /** The schema for a kind: a Camel K CRD's, or a definition of fabric8's Kubernetes schema. */
    private static Schema schemaFor(String kind) throws Exception {
        return switch (kind) {
            case "Integration", "Kamelet" -> SCHEMAS.getSchema(strict(JSON.readTree(
                    Path.of("deploy/schemas/camel-k-2.10.1-" + kind.toLowerCase() + ".json").toFile())).toString());
            case "Deployment" -> kubernetes("kubernetes-model-apps", "kubernetes_apps_Deployment");
            case "Service", "ConfigMap", "Secret" -> kubernetes("kubernetes-model-apps", "kubernetes_core_" + kind);
            case "PodDisruptionBudget" -> kubernetes("kubernetes-model-policy", "kubernetes_policy_v1_PodDisruptionBudget");
            default -> throw new AssertionError("no schema for kind " + kind);
        };
    }

    private static Schema kubernetes(String jar, String definition) throws Exception {
        ObjectNode schema;
        try (InputStream in = jarResource(jar)) {
            schema = (ObjectNode) JSON.readTree(in);
        }
        ObjectNode defs = (ObjectNode) schema.get("definitions");
        // fabric8 describes these as the Java objects they become; in a manifest they are scalars
        defs.fieldNames().forEachRemaining(name -> {
            if (name.endsWith("IntOrString")) {
                defs.set(name, JSON.createObjectNode().set("type", JSON.createArrayNode().add("integer").add("string")));
            } else if (name.endsWith("_Quantity")) {
                defs.set(name, JSON.createObjectNode().set("type", JSON.createArrayNode().add("string").add("integer")
                        .add("number")));
            }
        });
        ObjectNode root = JSON.createObjectNode();
        root.put("$ref", "#/definitions/" + definition);
        root.set("definitions", defs);
        strict(root);
        return SCHEMAS.getSchema(root.toString());
    }

    private static InputStream jarResource(String artifact) throws Exception {
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            if (Path.of(entry).getFileName().toString().startsWith(artifact + "-")) {
                java.util.jar.JarFile jar = new java.util.jar.JarFile(entry);
                return jar.getInputStream(jar.getEntry("schema/validation-schema.json"));
            }
        }
        throw new AssertionError(artifact + " is not on the test classpath");
    }

    /** Closes every object schema that lists its properties and does not say it keeps unknown fields. */
    private static JsonNode strict(JsonNode schema) {
        if (!(schema instanceof ObjectNode o)) {
            return schema;
        }
        if (o.get("properties") instanceof ObjectNode props) {
            if (!o.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
                o.put("additionalProperties", false);
            }
            props.elements().forEachRemaining(DeployManifestsTest::strict);
        }
        for (String key : List.of("definitions", "patternProperties")) {
            if (o.get(key) instanceof ObjectNode map) {
                map.elements().forEachRemaining(DeployManifestsTest::strict);
            }
        }
        for (String key : List.of("items", "additionalProperties", "not")) {
            strict(o.get(key));
        }
        for (String key : List.of("allOf", "anyOf", "oneOf")) {
            if (o.get(key) != null) {
                o.get(key).elements().forEachRemaining(DeployManifestsTest::strict);
            }
        }
        return o;
    }

    private static List<Error> validate(Manifest m) throws Exception {
        return schemaFor(m.kind()).validate(m.doc().toString(), InputFormat.JSON);
    }

    @Test
    void everyManifestMatchesItsSchema() throws Exception {
        List<Manifest> all = manifests();
        assertEquals(Set.of("Integration", "Kamelet", "Deployment", "Service", "PodDisruptionBudget", "Secret"),
                Set.copyOf(all.stream().map(Manifest::kind).toList()));
        for (Manifest m : all) {
            List<Error> errors = validate(m);
            assertTrue(errors.isEmpty(), m.file() + " (" + m.kind() + "): " + errors);
        }
    }

    @Test
    void aTypoIsCaught() throws Exception {
        for (Manifest m : manifests()) {
            if (m.kind().equals("Integration") || m.kind().equals("Deployment")) {
                ObjectNode broken = m.doc().deepCopy();
                ((ObjectNode) broken.get("spec")).put("replica", 2);
                assertFalse(validate(new Manifest(m.file(), broken)).isEmpty(), m.file() + " typo not caught");
                ObjectNode wrongType = m.doc().deepCopy();
                ((ObjectNode) wrongType.get("spec")).put("replicas", "two");
                assertFalse(validate(new Manifest(m.file(), wrongType)).isEmpty(), m.file() + " type not caught");
            }
        }
    }

    @Test
    void theDeploymentsRunTheGatewayAsTheImageExpects() throws Exception {
        Properties config = new Properties();
        try (var in = Files.newBufferedReader(Path.of("config/application.properties"))) {
            config.load(in);
        }
        int shutdownSeconds = Integer.parseInt(config.getProperty("camel.main.shutdown-timeout").strip());
        for (Manifest m : manifests()) {
            JsonNode doc = m.doc();
            if (m.kind().equals("Integration")) {
                JsonNode traits = doc.at("/spec/traits");
                assertTrue(doc.at("/spec/replicas").asInt() >= 2, "replicas");
                assertEquals("/observe/health/live", traits.at("/health/livenessProbe").asText());
                assertEquals("/observe/health/ready", traits.at("/health/readinessProbe").asText());
                assertEquals(9876, traits.at("/health/readinessPort").asInt());
                assertEquals(65532, traits.at("/container/runAsUser").asInt());
                assertTrue(traits.at("/environment/vars").toString()
                        .contains("CARAVAN_MCP_SESSION_KEY={{secret:mcp-session-key}}"), "replicas share the session key");
                String mounts = traits.at("/mount/resources").toString();
                assertTrue(mounts.contains("@/app/caravan/config/secrets") && mounts.contains("@/app/caravan/routes")
                           && mounts.contains("@/app/caravan/config/application.properties"), mounts);
            } else if (m.kind().equals("Secret")) {
                assertTrue(doc.at("/stringData").has("mcp-session-key"), "the example Secret has the session key");
            } else if (m.kind().equals("Deployment")) {
                JsonNode pod = doc.at("/spec/template/spec");
                JsonNode container = pod.at("/containers/0");
                assertTrue(doc.at("/spec/replicas").asInt() >= 2, "replicas");
                assertEquals("/observe/health/live", container.at("/livenessProbe/httpGet/path").asText());
                assertEquals("/observe/health/ready", container.at("/readinessProbe/httpGet/path").asText());
                assertTrue(pod.at("/securityContext/runAsNonRoot").asBoolean());
                assertTrue(pod.at("/terminationGracePeriodSeconds").asInt() > shutdownSeconds,
                        "the kubelet must wait longer than the gateway's grace period");
                assertTrue(container.get("env").toString().contains(
                        "{\"name\":\"CARAVAN_MCP_SESSION_KEY\",\"value\":\"{{secret:mcp-session-key}}\"}"),
                        "replicas share the session key");
                List<String> paths = new ArrayList<>();
                container.get("volumeMounts").forEach(v -> paths.add(v.get("mountPath").asText()));
                assertEquals(List.of("/app/caravan/config/application.properties", "/app/caravan/routes",
                        "/app/caravan/config/secrets"), paths);
                assertEquals(Map.of("http", 3000, "management", 9876), Map.of(
                        container.at("/ports/0/name").asText(), container.at("/ports/0/containerPort").asInt(),
                        container.at("/ports/1/name").asText(), container.at("/ports/1/containerPort").asInt()));
            }
        }
    }
}
