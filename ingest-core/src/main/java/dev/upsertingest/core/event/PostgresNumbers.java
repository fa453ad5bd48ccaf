package dev.upsertingest.core.event;

import tools.jackson.databind.JsonNode;

import java.math.BigDecimal;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The range of PostgreSQL's {@code numeric}, which jsonb stores every JSON number as: at most 131,072 digits before
 * the decimal point and 16,383 after it. JSON sets no limit (RFC 8259 lets implementations set one), so
 * {@code {"n": 1e200000}} is valid JSON that no stream table can ever hold: the database refuses the whole batch
 * (SQLState 22003), the worker has to split it to find the event, and over HTTP the API would have said 202 to an
 * event that can never be stored. The rules refuse such a number up front instead, as {@code invalid_json}.
 *
 * <p>Counted as the number is written, its exponent applied: {@code 1e131071} has 131,072 digits before the point
 * (the most), {@code 1.5e-16383} 16,384 after it (one too many), and a zero counts like any other number
 * ({@code 0e200000} is refused, although PostgreSQL would store it as 0).
 *
 * <p>Only exponents can reach these limits (the parser refuses numbers longer than 1,000 characters, and 1,000 digits
 * shifted by a 4-digit exponent stay far inside them), so a document without an exponent of five digits or more is
 * never walked.
 */
final class PostgresNumbers {

    static final long MAX_DIGITS_BEFORE_POINT = 131_072;
    static final long MAX_DIGITS_AFTER_POINT = 16_383;

    private PostgresNumbers() {
    }

    /** Whether the text holds an exponent of five digits or more (anywhere, strings included: a cheap first look). */
    static boolean mayExceed(byte[] json) {
        for (int i = 0; i < json.length; i++) {
            if (json[i] == 'e' || json[i] == 'E') {
                int at = i + 1;
                if (at < json.length && (json[at] == '+' || json[at] == '-')) {
                    at++;
                }
                int digits = 0;
                while (at + digits < json.length && json[at + digits] >= '0' && json[at + digits] <= '9') {
                    digits++;
                }
                if (digits >= 5) {
                    return true;
                }
            }
        }
        return false;
    }

    /** What is wrong with the first number of {@code tree} that numeric cannot hold, or {@code null}. */
    static String beyond(JsonNode tree) {
        Deque<JsonNode> pending = new ArrayDeque<>();
        pending.push(tree);
        while (!pending.isEmpty()) {
            JsonNode node = pending.pop();
            if (node.isContainer()) {
                for (JsonNode child : node) {
                    pending.push(child);
                }
            } else if (node.isBigDecimal()) {
                BigDecimal number = node.decimalValue();
                long after = Math.max(0, number.scale());
                long before = (long) number.precision() - number.scale();
                if (before > MAX_DIGITS_BEFORE_POINT) {
                    return "a number has " + before + " digits before the decimal point, more than PostgreSQL's numeric holds ("
                            + MAX_DIGITS_BEFORE_POINT + ")";
                }
                if (after > MAX_DIGITS_AFTER_POINT) {
                    return "a number has " + after + " digits after the decimal point, more than PostgreSQL's numeric holds ("
                            + MAX_DIGITS_AFTER_POINT + ")";
                }
            }
        }
        return null;
    }
}
