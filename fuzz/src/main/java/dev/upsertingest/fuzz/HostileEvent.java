package dev.upsertingest.fuzz;

import java.util.List;

/**
 * One generated input: a Kafka record's value, key and headers (the HTTP door sends the value alone), and what the
 * rules should make of it.
 *
 * @param index        its position in the generator's sequence: {@link HostileEvents#event(long)} makes it again
 * @param stream       the stream it is meant for
 * @param mutation     what was done to a valid event
 * @param form         which variant of the mutation, in a few words (for reports)
 * @param value        the value; {@code null} for a tombstone
 * @param recordKey    the Kafka record key; {@code null} for none
 * @param headers      Kafka headers
 * @param compression  the producer compression the Kafka door sends it with
 * @param expectation  what the rules should answer
 * @param arrayElement whether it stays one element of a JSON array (the API cuts arrays at the byte level), so that
 *                     a request's events can be counted and told apart
 * @param ndjsonLine   whether it stays one NDJSON line (no line feed in it, no carriage return at its end, not blank)
 * @param duplicateOf  the index of the event it repeats, or -1
 */
public record HostileEvent(long index, FuzzStream stream, Mutation mutation, String form, byte[] value, byte[] recordKey,
                           List<Header> headers, Compression compression, Expectation expectation,
                           boolean arrayElement, boolean ndjsonLine, long duplicateOf) {

    /** A Kafka header; {@code value} may be {@code null}. */
    public record Header(String name, byte[] value) {
    }

    public HostileEvent {
        headers = List.copyOf(headers);
    }

    public boolean tombstone() {
        return value == null;
    }

    /** The same record again, at another place in the sequence: a duplicate. */
    HostileEvent repeatedAt(long newIndex) {
        return new HostileEvent(newIndex, stream, mutation, form, value, recordKey, headers, compression, expectation,
                arrayElement, ndjsonLine, duplicateOf >= 0 ? duplicateOf : index);
    }

    /** What it is, for a report: index, stream, mutation and form, and whether it repeats another. */
    public String describe() {
        return "#" + index + " " + stream.name() + " " + mutation + " (" + form + ")"
                + (duplicateOf >= 0 ? ", a duplicate of #" + duplicateOf : "")
                + (value == null ? ", tombstone" : ", " + value.length + " bytes");
    }

    @Override
    public String toString() {
        return describe();
    }
}
