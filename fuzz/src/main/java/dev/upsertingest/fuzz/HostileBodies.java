package dev.upsertingest.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The HTTP side of the generator: request bodies for {@code POST /api/v1/streams/{stream}/events}, pure and seeded
 * like {@link HostileEvents} (request {@code i} is a function of the seed and {@code i}).
 *
 * <ul>
 *   <li>JSON arrays and NDJSON bodies of hostile events that keep their shape, so that the API's answer can be checked
 *   event by event: the count, each rejection's reason, and the exact bytes of each event it accepts;</li>
 *   <li>bodies of mangled events, where only the kind of answer is known;</li>
 *   <li>bodies around the request limits (exactly {@code max-events} and {@code max-request-size}, and one over, with
 *   and without {@code Content-Length}), bodies that are no array at all, and content types that are neither JSON nor
 *   NDJSON.</li>
 * </ul>
 *
 * <p>The first requests carry every mutation that applies to each stream, four at a time.
 */
public final class HostileBodies {

    private static final int PER_CATALOGUE_REQUEST = 4;

    private final long seed;
    private final FuzzStreams streams;
    private final FuzzLimits limits;
    private final HostileEvents events;
    /** The first requests: per stream, its mutations four at a time. */
    private final List<Object[]> catalogue = new ArrayList<>();

    public HostileBodies(long seed, FuzzStreams streams, FuzzLimits limits) {
        this.seed = seed;
        this.streams = streams;
        this.limits = limits;
        this.events = new HostileEvents(seed, Door.HTTP, streams, limits);
        for (FuzzStream stream : streams.streams()) {
            List<Mutation> shaped = events.applicable(stream).stream().filter(m -> m.family() != Mutation.Family.STRUCTURAL).toList();
            for (int from = 0; from < shaped.size(); from += PER_CATALOGUE_REQUEST) {
                catalogue.add(new Object[]{stream, shaped.subList(from, Math.min(shaped.size(), from + PER_CATALOGUE_REQUEST))});
            }
            catalogue.add(new Object[]{stream, events.applicable(stream).stream()
                    .filter(m -> m.family() == Mutation.Family.STRUCTURAL).toList()});
        }
    }

    /** How many requests it takes to send every mutation of every stream once. */
    public int coverageSize() {
        return catalogue.size();
    }

    public HostileEvents events() {
        return events;
    }

    @SuppressWarnings("unchecked")
    public HostileRequest request(long index) {
        SplittableRandom random = new SplittableRandom(seed * 0xD1B54A32D192ED03L + index * 0xAEF17502108EF2D9L + 7);
        if (index < catalogue.size()) {
            FuzzStream stream = (FuzzStream) catalogue.get((int) index)[0];
            List<Mutation> mutations = (List<Mutation>) catalogue.get((int) index)[1];
            List<HostileEvent> chosen = new ArrayList<>();
            for (int j = 0; j < mutations.size(); j++) {
                chosen.add(events.event(eventIndex(index, j), stream, mutations.get(j)));
            }
            boolean shaped = mutations.stream().noneMatch(m -> m.family() == Mutation.Family.STRUCTURAL);
            return array(index, stream, "every mutation: " + mutations, "application/json", chosen, shaped, random, 0, false);
        }
        FuzzStream stream = streams.get(random.nextInt(streams.size()));
        int kind = random.nextInt(100);
        if (kind < 45) {
            return array(index, stream, "a JSON array", pick(random, "application/json", "application/json", "application/json",
                    "application/json; charset=utf-8", null, "Application/JSON"), shapedEvents(index, stream, random, false, 16), true, random, 0,
                    random.nextInt(8) == 0);
        } else if (kind < 70) {
            return ndjson(index, stream, "NDJSON", pick(random, "application/x-ndjson", "application/x-ndjson",
                    "application/x-ndjson; charset=utf-8", "application/jsonl", "application/x-jsonlines"),
                    shapedEvents(index, stream, random, true, 16), true, random);
        } else if (kind < 80) {
            List<HostileEvent> mixed = new ArrayList<>();
            int count = 1 + random.nextInt(8);
            for (int j = 0; j < count; j++) {
                Mutation mutation = random.nextInt(3) == 0 ? events.pick(random, stream, Mutation.Family.STRUCTURAL)
                        : events.pick(random, stream, Mutation.Family.ACCEPTED, Mutation.Family.REJECTED);
                mixed.add(events.event(eventIndex(index, j), stream, mutation));
            }
            return random.nextBoolean()
                    ? array(index, stream, "a JSON array of mangled events", "application/json", fit(mixed), false, random, 0, false)
                    : ndjson(index, stream, "NDJSON of mangled events", "application/x-ndjson", fit(mixed), false, random);
        } else if (kind < 83) {
            return atCountLimit(index, stream, random, 0, 202);
        } else if (kind < 86) {
            return atCountLimit(index, stream, random, 1, 413);
        } else if (kind < 89) {
            return sized(index, stream, random, 0);
        } else if (kind < 92) {
            return sized(index, stream, random, 1 + random.nextInt(1000));
        } else if (kind < 97) {
            return notAnArray(index, stream, random);
        }
        return wrongMediaType(index, stream, random);
    }

    private long eventIndex(long request, int position) {
        return request * (limits.maxEvents() + 2L) + position;
    }

    /** Up to {@code max} events that keep their shape (as NDJSON lines too, when {@code lines}), within the request size. */
    private List<HostileEvent> shapedEvents(long index, FuzzStream stream, SplittableRandom random, boolean lines, int max) {
        int count = 1 + random.nextInt(Math.min(max, limits.maxEvents()));
        List<HostileEvent> chosen = new ArrayList<>();
        for (int j = 0; j < count; j++) {
            if (j > 0 && random.nextInt(12) == 0) {
                chosen.add(chosen.get(random.nextInt(chosen.size()))); // the same event twice in a request
                continue;
            }
            HostileEvent event = events.event(eventIndex(index, j), stream,
                    events.pick(random, stream, Mutation.Family.ACCEPTED, Mutation.Family.REJECTED));
            if (lines && !event.ndjsonLine()) {
                event = events.event(eventIndex(index, j), stream, Mutation.VALID);
            }
            chosen.add(event);
        }
        return fit(chosen);
    }

    /** The leading events that fit in a request, with room for separators. */
    private List<HostileEvent> fit(List<HostileEvent> chosen) {
        List<HostileEvent> fitting = new ArrayList<>();
        long size = 2;
        for (HostileEvent event : chosen) {
            size += event.value().length + 8;
            if (size > limits.maxRequestSize() && !fitting.isEmpty()) {
                break;
            }
            fitting.add(event);
        }
        return fitting;
    }

    private HostileRequest array(long index, FuzzStream stream, String kind, String contentType, List<HostileEvent> chosen,
                                 boolean shaped, SplittableRandom random, int padTo, boolean chunked) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        List<HostileRequest.Element> elements = new ArrayList<>();
        body.write('[');
        for (int j = 0; j < chosen.size(); j++) {
            if (j > 0) {
                JsonDoc.space(body, random);
                body.write(',');
            }
            JsonDoc.space(body, random);
            byte[] value = chosen.get(j).value();
            body.writeBytes(value);
            elements.add(new HostileRequest.Element(chosen.get(j), trim(value)));
        }
        JsonDoc.space(body, random);
        while (body.size() < padTo - 1) {
            body.write(' ');
        }
        body.write(']');
        return new HostileRequest(index, stream, kind, contentType, body.toByteArray(), chunked, shaped ? 202 : 0,
                shaped ? elements : null, chosen.size());
    }

    private HostileRequest ndjson(long index, FuzzStream stream, String kind, String contentType, List<HostileEvent> chosen,
                                  boolean shaped, SplittableRandom random) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        List<HostileRequest.Element> elements = new ArrayList<>();
        String newline = random.nextBoolean() ? "\n" : "\r\n";
        for (int j = 0; j < chosen.size(); j++) {
            if (random.nextInt(6) == 0) {
                body.writeBytes(ascii(pick(random, "", "  ", "\t", " \t ") + newline)); // blank lines are skipped
            }
            body.writeBytes(chosen.get(j).value());
            elements.add(new HostileRequest.Element(chosen.get(j), chosen.get(j).value()));
            if (j < chosen.size() - 1 || random.nextBoolean()) {
                body.writeBytes(ascii(newline));
            }
        }
        return new HostileRequest(index, stream, kind, contentType, body.toByteArray(), random.nextInt(8) == 0,
                shaped ? 202 : 0, shaped ? elements : null, chosen.size());
    }

    /** {@code max-events} (+ {@code over}) small valid events: 202 at the limit, 413 over it. */
    private HostileRequest atCountLimit(long index, FuzzStream stream, SplittableRandom random, int over, int status) {
        List<HostileEvent> chosen = new ArrayList<>();
        for (int j = 0; j < limits.maxEvents() + over; j++) {
            chosen.add(events.event(eventIndex(index, j), stream, Mutation.VALID));
        }
        String kind = (over == 0 ? "exactly max-events" : "one event over max-events") + " events";
        HostileRequest request = random.nextBoolean()
                ? array(index, stream, kind + " (array)", "application/json", chosen, over == 0, random, 0, false)
                : ndjson(index, stream, kind + " (NDJSON)", "application/x-ndjson", chosen, over == 0, random);
        return new HostileRequest(index, stream, request.kind(), request.contentType(), request.body(), request.chunked(),
                status, request.elements(), request.eventsTried());
    }

    /** A valid array padded with whitespace to {@code max-request-size} + {@code over} bytes: 202 at the limit, 413 over it. */
    private HostileRequest sized(long index, FuzzStream stream, SplittableRandom random, int over) {
        List<HostileEvent> chosen = new ArrayList<>();
        for (int j = 0; j < 1 + random.nextInt(3); j++) {
            chosen.add(events.event(eventIndex(index, j), stream, Mutation.VALID));
        }
        boolean chunked = random.nextBoolean();
        HostileRequest padded = array(index, stream, (over == 0 ? "exactly max-request-size" : over + " bytes over max-request-size")
                + " bytes" + (chunked ? ", chunked" : ""), "application/json", chosen, true, random, limits.maxRequestSize() + over, chunked);
        if (padded.body().length != limits.maxRequestSize() + over) {
            throw new IllegalStateException("padded to " + padded.body().length + " bytes, meant " + (limits.maxRequestSize() + over));
        }
        return new HostileRequest(index, stream, padded.kind(), padded.contentType(), padded.body(), chunked,
                over == 0 ? 202 : 413, over == 0 ? padded.elements() : null, padded.eventsTried());
    }

    /** Bodies the API must refuse whole with 400: not an array, or an array whose events cannot be told apart. */
    private HostileRequest notAnArray(long index, FuzzStream stream, SplittableRandom random) {
        byte[] event = events.event(eventIndex(index, 0), stream, Mutation.VALID).value();
        String json = new String(event, StandardCharsets.UTF_8);
        String[][] forms = {
                {"an object, not an array", json},
                {"an empty body", ""},
                {"an empty array", "[]"},
                {"an empty array with whitespace", "[ \n\t]"},
                {"an array not closed", "[" + json},
                {"a string not closed", "[{\"id\": \"k1}]"},
                {"an empty element", "[" + json + ",," + json + "]"},
                {"a trailing comma", "[" + json + ",]"},
                {"content after the array", "[" + json + "] x"},
                {"a bracket too many", "[" + json + "]]"},
                {"a byte order mark before the array", "\uFEFF[" + json + "]"},
                {"random bytes", null},
                {"NDJSON of blank lines", "\n  \n\t\n"},
        };
        String[] form = forms[random.nextInt(forms.length)];
        byte[] body;
        if (form[1] == null) {
            body = new byte[1 + random.nextInt(200)];
            for (int i = 0; i < body.length; i++) {
                body[i] = (byte) random.nextInt(256);
            }
            body[0] = (byte) "{\"x1-}abc".charAt(random.nextInt(9)); // anything but whitespace, '[' or a byte order mark
        } else {
            body = form[1].getBytes(StandardCharsets.UTF_8);
        }
        boolean lines = form[0].startsWith("NDJSON") || (form[0].equals("an empty body") && random.nextBoolean());
        return new HostileRequest(index, stream, form[0], lines ? "application/x-ndjson" : "application/json", body, false,
                400, null, 1);
    }

    /** A valid body with a content type that is neither JSON nor NDJSON: 415. */
    private HostileRequest wrongMediaType(long index, FuzzStream stream, SplittableRandom random) {
        String type = pick(random, "text/plain", "application/xml", "application/x-www-form-urlencoded",
                "multipart/form-data; boundary=fuzz", "multipart/form-data", "application/", "json", "application/json-seq",
                "text/json", "application/octet-stream");
        byte[] event = events.event(eventIndex(index, 0), stream, Mutation.VALID).value();
        return new HostileRequest(index, stream, "Content-Type " + type, type, JsonDoc.concat(ascii("["), event, ascii("]")),
                false, 415, null, 1);
    }

    /** The bytes without JSON whitespace around them, as the API cuts an array element. */
    static byte[] trim(byte[] value) {
        int from = 0;
        int to = value.length;
        while (from < to && isWhitespace(value[from])) {
            from++;
        }
        while (to > from && isWhitespace(value[to - 1])) {
            to--;
        }
        return Arrays.copyOfRange(value, from, to);
    }

    private static boolean isWhitespace(byte b) {
        return b == ' ' || b == '\t' || b == '\n' || b == '\r';
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    @SafeVarargs
    private static <T> T pick(SplittableRandom random, T... choices) {
        return choices[random.nextInt(choices.length)];
    }
}
