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

    /** Claims of every JSON type, numbers in the Java types JSON parsers hand them over as. */
    private static final Rule.Facts ALICE = Rule.facts(
            Map.ofEntries(Map.entry("email", "alice@solo.io"), Map.entry("email_verified", true),
                    Map.entry("groups", List.of("support", "eng")), Map.entry("level", 3),
                    Map.entry("address", Map.of("country", "ES")), Map.entry("verified_text", "true"),
                    Map.entry("level_text", "3"), Map.entry("zero", 0L), Map.entry("empty", ""),
                    Map.entry("off", false), Map.entry("texts", List.of("3", "eng")),
                    Map.entry("numbers", List.of(1L, 2L)), Map.entry("big", 9007199254740993L),
                    Map.entry("one", Map.of("n", 1L)), Map.entry("one_decimal", Map.of("n", 1.0)),
                    Map.entry("one_text", Map.of("n", "1")), Map.entry("iat", new java.util.Date(1700000000000L))),
            name -> name.equalsIgnoreCase("x-org") ? "acme" : name.equalsIgnoreCase("x-level") ? "3" : null,
            Map.of("mcp.tool", "knowledge-base_search_docs", "mcp.arguments", Map.of("product", "gloo"))::get);

    @ParameterizedTest
    @CsvSource(delimiterString = " => ", quoteCharacter = '`', value = {
            "jwt.email endsWith \"@solo.io\" && jwt.email_verified == true => TRUE",
            "email endsWith '@solo.io' && email_verified == true => TRUE",
            "jwt.email endsWith \"@example.com\" => FALSE",
            "jwt.email_verified == 'true' => FALSE",
            "jwt.groups contains 'support' => TRUE",
            "'eng' in jwt.groups && !('admin' in jwt.groups) => TRUE",
            "jwt.level >= 3 && jwt.level < 4 => TRUE",
            "jwt.address.country == 'ES' => TRUE",
            "jwt['email'] matches '[a-z]+@solo\\.io' => TRUE",
            "header.x-org == 'acme' || header['x-org'] == 'other' => TRUE",
            "jwt.missing == null => TRUE",
            "jwt.missing endsWith 'x' => FALSE",
            "mcp.tool startsWith 'knowledge-base_' && mcp.arguments.product in ['gloo', 'kagent'] => TRUE",
            "mcp.tool == 'other' || false => FALSE",
            // booleans are not strings, numbers or null, and only the boolean true is true
            "jwt.verified_text == true => FALSE",
            "jwt.verified_text != true => TRUE",
            "jwt.email_verified == 1 => FALSE",
            "jwt.email_verified == true => TRUE",
            "jwt.verified_text => FALSE",
            "jwt.verified_text && true => FALSE",
            "jwt.verified_text || false => FALSE",
            "!jwt.verified_text => TRUE",
            "jwt.off == null || jwt.off == 0 || jwt.off == '' || jwt.off == 'false' => FALSE",
            // numbers are not strings, and compare by exact value whatever their Java type
            "jwt.level_text == 3 => FALSE",
            "jwt.level == '3' => FALSE",
            "jwt.level == 3.0 => TRUE",
            "jwt.level_text >= 3 || jwt.level_text < 4 => FALSE",
            "jwt.level > '2' || jwt.level <= '4' => FALSE",
            "jwt.big == 9007199254740992 => FALSE",
            "jwt.big == 9007199254740993 => TRUE",
            "jwt.big > 9007199254740992 => TRUE",
            "jwt.iat == 1700000000 => TRUE",
            "header.x-level == 3 => FALSE",
            "header.x-level == '3' => TRUE",
            // zero, the empty string and a missing claim are three different things
            "jwt.zero == false || jwt.zero == null || jwt.zero == '' => FALSE",
            "jwt.empty == null || jwt.empty == false || jwt.empty == 0 => FALSE",
            "jwt.missing == false || jwt.missing == '' || jwt.missing == 0 => FALSE",
            // membership uses the same equality
            "3 in jwt.texts || jwt.level in jwt.texts || jwt.texts contains 3 => FALSE",
            "'3' in jwt.texts && jwt.texts contains '3' => TRUE",
            "jwt.numbers contains '1' || '2' in jwt.numbers => FALSE",
            "jwt.numbers contains 1.0 && 2 in jwt.numbers => TRUE",
            "jwt.numbers == [1, 2.0] => TRUE",
            "jwt.numbers == ['1', '2'] || jwt.numbers == [1] => FALSE",
            "jwt.one == jwt.one_decimal => TRUE",
            "jwt.one == jwt.one_text => FALSE",
            // the string operators take strings only
            "jwt.level startsWith '3' || jwt.level endsWith '3' || jwt.level contains '3' => FALSE",
            "jwt.level matches '3' || jwt.email_verified matches 'true' => FALSE",
            "jwt.email_verified contains 'true' || jwt.email_verified startsWith 't' => FALSE",
            "jwt.level_text startsWith '3' && jwt.level_text matches '[0-9]' => TRUE"})
    void rulesDecideOnFacts(String rule, Rule.Outcome expected) {
        assertEquals(expected, Rule.parse(rule).evaluate(ALICE), rule);
    }

    @Test
    void unknownFactsLeaveTheOutcomeOpenUnlessKnownFactsDecide() {
        Rule.Facts listing = Rule.facts(Map.of("email", "bob@solo.io"), name -> null,
                Map.<String, Object>of("mcp.tool", "knowledge-base_search_docs", "mcp.arguments", Rule.UNKNOWN)::get);
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
