package dev.caravan.auth;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RuleTest {

    private static final Rule.Facts ALICE = Rule.facts(
            Map.of("email", "alice@solo.io", "email_verified", true, "groups", List.of("support", "eng"),
                    "level", 3, "address", Map.of("country", "ES")),
            name -> name.equalsIgnoreCase("x-org") ? "acme" : null,
            Map.of("mcp.tool", "knowledge-base_search_docs", "mcp.arguments", Map.of("product", "gloo")));

    @ParameterizedTest
    @CsvSource(delimiterString = " => ", quoteCharacter = '`', value = {
            "jwt.email endsWith \"@solo.io\" && jwt.email_verified == true => TRUE",
            "email endsWith '@solo.io' && email_verified == true => TRUE",
            "jwt.email endsWith \"@example.com\" => FALSE",
            "jwt.email_verified == 'true' => TRUE",
            "jwt.groups contains 'support' => TRUE",
            "'eng' in jwt.groups && !('admin' in jwt.groups) => TRUE",
            "jwt.level >= 3 && jwt.level < 4 => TRUE",
            "jwt.address.country == 'ES' => TRUE",
            "jwt['email'] matches '[a-z]+@solo\\.io' => TRUE",
            "header.x-org == 'acme' || header['x-org'] == 'other' => TRUE",
            "jwt.missing == null => TRUE",
            "jwt.missing endsWith 'x' => FALSE",
            "mcp.tool startsWith 'knowledge-base_' && mcp.arguments.product in ['gloo', 'kagent'] => TRUE",
            "mcp.tool == 'other' || false => FALSE"})
    void rulesDecideOnFacts(String rule, Rule.Outcome expected) {
        assertEquals(expected, Rule.parse(rule).evaluate(ALICE), rule);
    }

    @Test
    void unknownFactsLeaveTheOutcomeOpenUnlessKnownFactsDecide() {
        Rule.Facts listing = Rule.facts(Map.of("email", "bob@solo.io"), name -> null,
                Map.of("mcp.tool", "knowledge-base_search_docs", "mcp.arguments", Rule.UNKNOWN));
        assertEquals(Rule.Outcome.UNKNOWN, Rule.parse("mcp.arguments.product == 'gloo'").evaluate(listing));
        assertEquals(Rule.Outcome.FALSE,
                Rule.parse("mcp.tool == 'other' && mcp.arguments.product == 'gloo'").evaluate(listing));
        assertEquals(Rule.Outcome.TRUE,
                Rule.parse("email endsWith '@solo.io' || mcp.arguments.product == 'gloo'").evaluate(listing));
        assertEquals(Rule.Outcome.UNKNOWN, Rule.parse("!(mcp.arguments.x == 1)").evaluate(listing));
    }

    @ParameterizedTest
    @CsvSource(delimiterString = " => ", quoteCharacter = '`', value = {
            "jwt.email endsWith => ends too early",
            "(jwt.a == 1 => missing ')'",
            "jwt.a == 'x => unterminated string",
            "jwt.a == 1 1 => unexpected '1'",
            "jwt.a matches '(' => Unclosed group",
            "mcp == 1 => needs a name after it"})
    void badRulesAreReportedWithTheirPosition(String rule, String why) {
        Exception e = assertThrows(Exception.class, () -> Rule.parse(rule));
        assertTrue(e.getMessage().contains(why), e.getMessage());
    }
}
