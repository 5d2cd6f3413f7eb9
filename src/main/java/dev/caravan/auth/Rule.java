package dev.caravan.auth;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * An authorization rule, written in route files the way the seed writes them:
 * <pre>jwt.email endsWith "@solo.io" &amp;&amp; jwt.email_verified == true</pre>
 * <p>
 * Operands are facts — {@code jwt.<claim>} (a bare name is a claim too), {@code header.<name>}, {@code mcp.method},
 * {@code mcp.tool}, {@code mcp.prompt}, {@code mcp.resource}, {@code mcp.backend}, {@code mcp.arguments.<name>},
 * {@code llm.model}, {@code llm.provider}, {@code llm.org} — and literals: "strings" or 'strings', numbers,
 * {@code true}, {@code false}, {@code null}, [lists]. Operators: {@code == != < <= > >=}, {@code endsWith},
 * {@code startsWith}, {@code contains} (substring or list element), {@code in} (element of a list), {@code matches}
 * (regular expression), {@code && || !} and parentheses.
 * <p>
 * Values keep their JSON types and are never converted: a claim sent as the string {@code "true"} is not the boolean
 * {@code true}, {@code "3"} is not {@code 3}. {@code ==} holds only between values of the same type (numbers by value,
 * exactly: {@code 1 == 1.0}; lists and objects element by element), the order operators only between numbers, the
 * string operators only between strings, and {@code &&}, {@code ||}, {@code !} and a rule's outcome count only the
 * boolean {@code true} as true. A claim signed in the wrong type is a different claim, not a loose match.
 * <p>
 * A fact may be {@link #UNKNOWN} (a tool's arguments while listing tools): the rule then answers UNKNOWN unless the
 * known facts decide it (three-valued logic), so a list can show what a later call might be allowed to do.
 */
public final class Rule {

    /** A fact that is not known yet. */
    public static final Object UNKNOWN = new Object() {
        @Override
        public String toString() {
            return "unknown";
        }
    };

    /** The three possible outcomes. */
    public enum Outcome {
        TRUE, FALSE, UNKNOWN
    }

    /** Where a rule's facts come from. */
    @FunctionalInterface
    public interface Facts {
        /** The value at a path such as [jwt, email]: a String, Boolean, Number, List, Map, null or {@link #UNKNOWN}. */
        Object get(List<String> path);
    }

    private final String text;
    private final Node root;

    private Rule(String text, Node root) {
        this.text = text;
        this.root = root;
    }

    /**
     * @throws IllegalArgumentException with the position of the problem, for a rule that does not parse
     */
    public static Rule parse(String text) {
        Parser p = new Parser(text);
        Node node = p.or();
        p.skipSpace();
        if (p.pos < text.length()) {
            throw p.error("unexpected '" + text.charAt(p.pos) + "'");
        }
        return new Rule(text.strip(), node);
    }

    public Outcome evaluate(Facts facts) {
        Object value = root.eval(facts);
        if (value == UNKNOWN) {
            return Outcome.UNKNOWN;
        }
        return Boolean.TRUE.equals(value) ? Outcome.TRUE : Outcome.FALSE;
    }

    public boolean allows(Facts facts) {
        return evaluate(facts) == Outcome.TRUE;
    }

    @Override
    public String toString() {
        return text;
    }

    private interface Node {
        Object eval(Facts facts);
    }

    private record Literal(Object value) implements Node {
        @Override
        public Object eval(Facts facts) {
            return value;
        }
    }

    private record Fact(List<String> path) implements Node {
        @Override
        public Object eval(Facts facts) {
            return facts.get(path);
        }
    }

    private record ListOf(List<Node> items) implements Node {
        @Override
        public Object eval(Facts facts) {
            List<Object> out = new ArrayList<>();
            for (Node n : items) {
                Object v = n.eval(facts);
                if (v == UNKNOWN) {
                    return UNKNOWN;
                }
                out.add(v);
            }
            return out;
        }
    }

    private record Not(Node operand) implements Node {
        @Override
        public Object eval(Facts facts) {
            Object v = operand.eval(facts);
            return v == UNKNOWN ? UNKNOWN : !Boolean.TRUE.equals(v);
        }
    }

    private record Logic(boolean and, Node left, Node right) implements Node {
        @Override
        public Object eval(Facts facts) {
            Object l = left.eval(facts);
            if (l != UNKNOWN && Boolean.TRUE.equals(l) != and) {
                return !and; // false && x, true || x
            }
            Object r = right.eval(facts);
            if (r != UNKNOWN && Boolean.TRUE.equals(r) != and) {
                return !and;
            }
            return l == UNKNOWN || r == UNKNOWN ? UNKNOWN : and;
        }
    }

    /** {@code pattern} is the compiled right side of {@code matches} when it is a literal, null otherwise. */
    private record Compare(String op, Node left, Node right, Pattern pattern) implements Node {
        @Override
        public Object eval(Facts facts) {
            Object l = left.eval(facts);
            Object r = right.eval(facts);
            if (l == UNKNOWN || r == UNKNOWN) {
                return UNKNOWN;
            }
            return switch (op) {
                case "==" -> same(l, r);
                case "!=" -> !same(l, r);
                case "<", "<=", ">", ">=" -> order(l, r);
                case "endsWith" -> l instanceof String s && r instanceof String t && s.endsWith(t);
                case "startsWith" -> l instanceof String s && r instanceof String t && s.startsWith(t);
                case "contains" -> l instanceof String s ? r instanceof String t && s.contains(t)
                        : l instanceof Collection<?> c && c.stream().anyMatch(e -> same(e, r));
                case "in" -> r instanceof Collection<?> c && c.stream().anyMatch(e -> same(l, e));
                case "matches" -> l instanceof String s && r instanceof String t
                                  && (pattern != null ? pattern : Pattern.compile(t)).matcher(s).matches();
                default -> throw new IllegalStateException(op);
            };
        }

        private Object order(Object l, Object r) {
            if (!(l instanceof Number a) || !(r instanceof Number b)) {
                return false;
            }
            int c = compareNumbers(a, b);
            return switch (op) {
                case "<" -> c < 0;
                case "<=" -> c <= 0;
                case ">" -> c > 0;
                default -> c >= 0;
            };
        }

        /**
         * JSON equality: the same type and the same value. Numbers of any Java type compare by value; strings,
         * booleans and null only equal themselves (Objects.equals is false across types).
         */
        private static boolean same(Object l, Object r) {
            if (l instanceof Number a && r instanceof Number b) {
                return compareNumbers(a, b) == 0;
            }
            if (l instanceof List<?> a && r instanceof List<?> b) {
                if (a.size() != b.size()) {
                    return false;
                }
                for (int i = 0; i < a.size(); i++) {
                    if (!same(a.get(i), b.get(i))) {
                        return false;
                    }
                }
                return true;
            }
            if (l instanceof Map<?, ?> a && r instanceof Map<?, ?> b) {
                return a.keySet().equals(b.keySet()) && a.keySet().stream().allMatch(k -> same(a.get(k), b.get(k)));
            }
            return Objects.equals(l, r);
        }

        /**
         * Exact numeric order: a long claim above 2^53 is not rounded onto a neighbouring literal, as doubles would.
         * JSON has no infinities, but a parser may turn 1e400 into one; those compare as doubles.
         */
        private static int compareNumbers(Number a, Number b) {
            boolean finite = Double.isFinite(a.doubleValue()) && Double.isFinite(b.doubleValue());
            return finite ? decimal(a).compareTo(decimal(b)) : Double.compare(a.doubleValue(), b.doubleValue());
        }

        private static BigDecimal decimal(Number n) {
            return n instanceof BigDecimal d ? d : new BigDecimal(n.toString());
        }
    }

    /** Recursive descent over the grammar in the class comment. */
    private static final class Parser {
        private static final List<String> WORD_OPS = List.of("endsWith", "startsWith", "contains", "in", "matches");
        private static final List<String> SYMBOL_OPS = List.of("==", "!=", "<=", ">=", "<", ">");
        private final String text;
        private int pos;

        Parser(String text) {
            this.text = text;
        }

        IllegalArgumentException error(String why) {
            return new IllegalArgumentException("rule \"" + text.strip() + "\": " + why + " at position " + (pos + 1));
        }

        void skipSpace() {
            while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
                pos++;
            }
        }

        boolean take(String token) {
            skipSpace();
            if (text.startsWith(token, pos)) {
                boolean word = Character.isLetter(token.charAt(0));
                int end = pos + token.length();
                if (word && end < text.length() && Character.isJavaIdentifierPart(text.charAt(end))) {
                    return false;
                }
                pos = end;
                return true;
            }
            return false;
        }

        Node or() {
            Node left = and();
            while (take("||")) {
                left = new Logic(false, left, and());
            }
            return left;
        }

        Node and() {
            Node left = not();
            while (take("&&")) {
                left = new Logic(true, left, not());
            }
            return left;
        }

        Node not() {
            if (take("!") ) {
                return new Not(not());
            }
            return compare();
        }

        Node compare() {
            Node left = value();
            for (String op : SYMBOL_OPS) {
                if (take(op)) {
                    return new Compare(op, left, value(), null);
                }
            }
            for (String op : WORD_OPS) {
                if (take(op)) {
                    Node right = value();
                    // compiled once, so a bad pattern fails when the route file loads, not on a request
                    Pattern pattern = op.equals("matches") && right instanceof Literal l && l.value() instanceof String
                            regex ? Pattern.compile(regex) : null;
                    return new Compare(op, left, right, pattern);
                }
            }
            return left;
        }

        Node value() {
            skipSpace();
            if (pos >= text.length()) {
                throw error("expression ends too early");
            }
            char c = text.charAt(pos);
            if (c == '(') {
                pos++;
                Node inner = or();
                if (!take(")")) {
                    throw error("missing ')'");
                }
                return inner;
            }
            if (c == '[') {
                pos++;
                List<Node> items = new ArrayList<>();
                if (!take("]")) {
                    do {
                        items.add(value());
                    } while (take(","));
                    if (!take("]")) {
                        throw error("missing ']'");
                    }
                }
                return new ListOf(items);
            }
            if (c == '"' || c == '\'') {
                return new Literal(string(c));
            }
            if (c == '-' || Character.isDigit(c)) {
                int start = pos++;
                while (pos < text.length() && (Character.isDigit(text.charAt(pos)) || text.charAt(pos) == '.')) {
                    pos++;
                }
                try {
                    return new Literal(new BigDecimal(text.substring(start, pos)));
                } catch (NumberFormatException e) {
                    pos = start;
                    throw error("not a number");
                }
            }
            if (Character.isJavaIdentifierStart(c)) {
                return path();
            }
            throw error("unexpected '" + c + "'");
        }

        private String string(char quote) {
            StringBuilder sb = new StringBuilder();
            pos++;
            while (pos < text.length() && text.charAt(pos) != quote) {
                char c = text.charAt(pos++);
                if (c == '\\' && pos < text.length()) {
                    c = text.charAt(pos++);
                }
                sb.append(c);
            }
            if (pos >= text.length()) {
                throw error("unterminated string");
            }
            pos++;
            return sb.toString();
        }

        private Node path() {
            List<String> parts = new ArrayList<>();
            parts.add(identifier());
            switch (parts.get(0)) {
                case "true" -> {
                    return new Literal(true);
                }
                case "false" -> {
                    return new Literal(false);
                }
                case "null" -> {
                    return new Literal(null);
                }
                default -> {
                    // a path
                }
            }
            while (pos < text.length()) {
                if (text.charAt(pos) == '.') {
                    pos++;
                    parts.add(identifier());
                } else if (text.charAt(pos) == '[') {
                    pos++;
                    skipSpace();
                    char q = pos < text.length() ? text.charAt(pos) : ' ';
                    if (q != '"' && q != '\'') {
                        throw error("expected a quoted name in []");
                    }
                    parts.add(string(q));
                    if (!take("]")) {
                        throw error("missing ']'");
                    }
                } else {
                    break;
                }
            }
            if (!List.of("jwt", "header", "mcp", "llm").contains(parts.get(0))) {
                parts.add(0, "jwt"); // a bare name is a claim, as in the seed's "email endsWith ..."
            }
            if (parts.size() < 2) {
                throw error("'" + parts.get(0) + "' needs a name after it, like " + parts.get(0) + ".something");
            }
            return new Fact(List.copyOf(parts));
        }

        private String identifier() {
            int start = pos;
            while (pos < text.length() && (Character.isJavaIdentifierPart(text.charAt(pos))
                                           || text.charAt(pos) == '-')) {
                pos++;
            }
            if (start == pos) {
                throw error("expected a name");
            }
            return text.substring(start, pos);
        }
    }

    /**
     * Facts from a request: {@code jwt.*} from the claims, {@code header.<name>} from a header lookup, and every other
     * fact from {@code others} by its first two parts ({@code "mcp.tool"}, {@code "mcp.arguments"}), walked into
     * further when it is a map ({@code mcp.arguments.product}).
     */
    public static Facts facts(Map<String, Object> claims, Function<String, String> header,
                              Function<String, Object> others) {
        return path -> {
            String root = path.get(0);
            if (root.equals("header")) {
                return path.size() == 2 ? header.apply(path.get(1)) : null;
            }
            boolean claim = root.equals("jwt");
            Object v = claim ? claims : others.apply(root + "." + path.get(1));
            for (int i = claim ? 1 : 2; i < path.size() && v != UNKNOWN; i++) {
                v = v instanceof Map<?, ?> m ? m.get(path.get(i)) : null;
            }
            // the JWT library hands exp, nbf and iat over as Dates; in the token they are numbers (seconds)
            return v instanceof Date d ? d.getTime() / 1000 : v;
        };
    }
}
