package dev.caravan.telemetry;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import dev.caravan.core.Caller;
import dev.caravan.support.FactsContext;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Fields declared in route files: where each value comes from, and how its values are bounded. */
class FieldsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static Fields fields(String lines) {
        Fields f = new Fields();
        f.setFields(lines);
        return f;
    }

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    private static Exchange exchange() {
        return new DefaultExchange(new DefaultCamelContext());
    }

    @Test
    void valuesComeFromTheBodyTheTokenAndTheHeaders() throws Exception {
        Fields f = fields("""
                # the seed's enrichment
                product = body $.params.arguments.product | max 30
                args    = body $.params.arguments
                team    = jwt.org.team
                agent   = header.x-agent-name   # a comment after a field
                """);
        assertEquals(List.of("product", "args", "team", "agent"), f.names());
        assertTrue(f.readsBody());
        Exchange e = exchange();
        FactsContext context = new FactsContext(Map.of());
        context.attach(e);
        context.caller(new Caller("ann", Map.of("email", "ann@solo.io", "org", Map.of("team", "support"))));
        e.getIn().setHeader("x-agent-name", "support-bot");
        Map<String, String> values = f.of(e, json("""
                {"jsonrpc":"2.0","id":1,"method":"tools/call",
                 "params":{"name":"search_docs","arguments":{"product":"gloo-gateway","query":"timeouts"}}}"""));
        assertEquals(Map.of("product", "gloo-gateway", "args", "{\"product\":\"gloo-gateway\",\"query\":\"timeouts\"}",
                "team", "support", "agent", "support-bot"), values);
        // and in declaration order: that is the order of the labels and of the log fields
        assertEquals(List.of("product", "args", "team", "agent"), List.copyOf(values.keySet()));
    }

    @Test
    void missingValuesAreNone() throws Exception {
        Fields f = fields("product = body $.params.arguments.product\nteam = jwt.team\nagent = header.x-agent");
        Map<String, String> none = Map.of("product", "none", "team", "none", "agent", "none");
        assertEquals(none, f.of(exchange(), json("{\"method\":\"tools/list\"}")));
        assertEquals(none, f.of(exchange(), json("{\"params\":{\"arguments\":{\"product\":null}}}")));
        assertEquals(none, f.of(exchange(), null));
        // a body that is not an object: no value, no exception
        assertEquals(none, f.of(exchange(), json("[1,2]")));
    }

    @Test
    void numbersAndBooleansAreTheirText() throws Exception {
        Fields f = fields("n = body $.n\nb = body $.b");
        assertEquals(Map.of("n", "42", "b", "true"), f.of(exchange(), json("{\"n\":42,\"b\":true}")));
        assertTrue(!fields("agent = header.x-agent").readsBody());
    }

    /** A path of plain names is read by a JSON pointer: it must find what JsonPath finds, whatever the body. */
    @Test
    void aPathOfNamesReadsWhatTheSameJsonPathReads() throws Exception {
        Fields dotted = fields("v = body $.params.arguments.product | max 999");
        // the same path written so that it is not plain names: JsonPath evaluates it
        Fields general = fields("v = body $['params']['arguments']['product'] | max 999");
        for (String body : List.of("{\"params\":{\"arguments\":{\"product\":\"gloo\"}}}",
                "{\"params\":{\"arguments\":{\"product\":7}}}", "{\"params\":{\"arguments\":{\"product\":[1,\"a\"]}}}",
                "{\"params\":{\"arguments\":{\"product\":{\"x\":true}}}}", "{\"params\":{\"arguments\":[1,2]}}",
                "{\"params\":\"text\"}", "{\"params\":null}", "{}", "[]", "\"s\"", "{\"params\":{\"arguments\":{}}}")) {
            assertEquals(general.of(exchange(), json(body)), dotted.of(exchange(), json(body)), body);
        }
    }

    @Test
    void anAllowListKeepsOnlyItsValues() throws Exception {
        Fields f = fields("product = body $.p | allow gloo-gateway, kagent");
        assertEquals("kagent", f.of(exchange(), json("{\"p\":\"kagent\"}")).get("product"));
        assertEquals("other", f.of(exchange(), json("{\"p\":\"istio\"}")).get("product"));
        assertEquals("none", f.of(exchange(), json("{}")).get("product"));
    }

    @Test
    void aCapKeepsTheFirstDistinctValuesAndCountsTheRestAsOther() throws Exception {
        Fields f = fields("product = body $.p | max 3");
        List<String> seen = IntStream.range(0, 10).mapToObj(i -> {
            try {
                return f.of(exchange(), json("{\"p\":\"product-" + i + "\"}")).get("product");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).toList();
        assertEquals(List.of("product-0", "product-1", "product-2", "other", "other", "other", "other", "other",
                "other", "other"), seen);
        // a value already kept stays itself
        assertEquals("product-1", f.of(exchange(), json("{\"p\":\"product-1\"}")).get("product"));
    }

    @Test
    void theDefaultCapIsFifty() {
        LabelCap cap = LabelCap.max(50);
        Set<String> labels = IntStream.range(0, 1000).mapToObj(i -> cap.of("v" + i)).collect(Collectors.toSet());
        assertEquals(51, labels.size());
        assertTrue(labels.contains("other"));
    }

    @Test
    void aLongValueIsNeverALabel() {
        assertEquals("other", LabelCap.max(50).of("x".repeat(101)));
        assertEquals("x".repeat(100), LabelCap.max(50).of("x".repeat(100)));
    }

    @Test
    void aLineThatDoesNotParseFailsWithWhatItShouldLookLike() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> fields("product = $.params.arguments.product"));
        assertTrue(e.getMessage().contains("name = body $.path"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> fields("product = body $.p | most 3"));
        assertThrows(IllegalArgumentException.class, () -> fields("1product = jwt.team"));
        assertThrows(IllegalArgumentException.class, () -> fields("team = cookie.team"));
        assertThrows(IllegalArgumentException.class, () -> fields("p = body $.p | max lots"));
        assertThrows(IllegalArgumentException.class, () -> fields("p = body $.p | max 0"));
        e = assertThrows(IllegalArgumentException.class, () -> fields("p = body $.[unclosed"));
        assertTrue(e.getMessage().contains("is not a JSONPath"), e.getMessage());
    }

    @Test
    void noFieldsNoValues() {
        Fields f = fields("  \n# nothing yet\n");
        assertEquals(List.of(), f.names());
        assertEquals(Map.of(), f.of(exchange(), null));
    }
}
