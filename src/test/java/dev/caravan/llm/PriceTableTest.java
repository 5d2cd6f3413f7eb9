package dev.caravan.llm;

import java.io.InputStream;
import java.time.Instant;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

class PriceTableTest {

    private static final PriceTable BUNDLED = PriceTable.bundled(Map.of());

    private static Usage usage(JsonNode u) {
        return new Usage(u.path("input_tokens").asLong(), u.path("cache_read_tokens").asLong(),
                u.path("cache_write_tokens").asLong(), u.path("output_tokens").asLong(), true);
    }

    /** expected-costs.json holds what @pydantic/genai-prices' own calcPrice answered (generate.mjs writes it). */
    @Test
    void costsAreWhatGenaiPricesComputes() throws Exception {
        JsonNode cases;
        try (InputStream in = getClass().getResourceAsStream("/prices/expected-costs.json")) {
            cases = new ObjectMapper().readTree(in);
        }
        assertEquals(48, cases.size());
        for (JsonNode c : cases) {
            PriceTable.Cost cost = BUNDLED.cost(c.get("provider").asText(), c.get("model").asText(), usage(c.get("usage")),
                    Instant.parse(c.get("at").asText()));
            String what = c.toString();
            assertNotNull(cost, what);
            assertEquals(c.get("matched").asText(), cost.model(), what);
            assertEquals(c.get("input").asDouble(), cost.input(), 1e-12, what);
            assertEquals(c.get("output").asDouble(), cost.output(), 1e-12, what);
        }
    }

    @Test
    void unknownModelsHaveNoCostAndOverridesWin() {
        Usage usage = new Usage(1_000_000, 0, 0, 1_000_000, true);
        assertNull(BUNDLED.cost("anthropic", "claude-imaginary-9", usage, Instant.now()));
        assertNull(BUNDLED.cost("anthropic", null, usage, Instant.now()));
        PriceTable negotiated = PriceTable.bundled(Map.of(
                "claude-sonnet-4", Map.of("input_mtok", 2.0, "output_mtok", 10.0),
                "claude-sonnet-4-6", Map.of("input_mtok", 2.5, "output_mtok", 12.0, "cache_read_mtok", 0.25),
                "in-house-llm", Map.of("input_mtok", 0.1, "output_mtok", 0.2)));
        PriceTable.Cost sonnet = negotiated.cost("google", "claude-sonnet-4-6@20260101",
                new Usage(1_000_000, 400_000, 0, 1_000_000, true), Instant.now());
        assertEquals(0.6 * 2.5 + 0.4 * 0.25, sonnet.input(), 1e-9);
        assertEquals(12.0, sonnet.output(), 1e-9);
        assertEquals("claude-sonnet-4-6", sonnet.model());
        assertEquals(0.3, negotiated.cost("openai", "in-house-llm-v2", usage, Instant.now()).total(), 1e-9);
    }
}
