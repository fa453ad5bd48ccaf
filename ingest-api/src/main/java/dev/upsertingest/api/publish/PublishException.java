package dev.upsertingest.api.publish;

import java.time.Duration;

/** Why a publish request as a whole cannot be served. Each maps to one HTTP status. */
public sealed class PublishException extends RuntimeException {

    PublishException(String message, Throwable cause) {
        super(message, cause);
    }

    /** 400: the body is not JSON (or not a JSON array). */
    public static final class NotJson extends PublishException {
        NotJson(String message) {
            super(message, null);
        }
    }

    /** 404: no stream of that name. */
    public static final class UnknownStream extends PublishException {
        UnknownStream(String stream) {
            super("there is no stream named '" + stream + "'", null);
        }
    }

    /** 413: too many bytes or events. */
    public static final class TooLarge extends PublishException {
        TooLarge(String message) {
            super(message, null);
        }
    }

    /** 415: neither JSON nor NDJSON. */
    public static final class UnsupportedType extends PublishException {
        UnsupportedType(String message) {
            super(message, null);
        }
    }

    /** 422: the stream takes its key from the Kafka record key, which an HTTP event does not have. */
    public static final class NeedsRecordKey extends PublishException {
        NeedsRecordKey(String stream) {
            super("stream '" + stream + "' takes its key from the Kafka record key; publish to it through Kafka", null);
        }
    }

    /**
     * 500: Kafka refuses the API's writes for a reason retrying will not change (the API's authorization, a record
     * the broker calls invalid). The message says what in words; it is not the client's fault, nor a sign that Kafka
     * is down, so it does not count toward the circuit breaker.
     */
    public static final class Refused extends PublishException {
        Refused(String reason, Throwable cause) {
            super(reason, cause);
        }
    }

    /** 503: Kafka did not acknowledge in time, or the circuit breaker is open; retry after {@link #retryAfter()}. */
    public static final class Unavailable extends PublishException {
        private final Duration retryAfter;

        Unavailable(String message, Duration retryAfter, Throwable cause) {
            super(message, cause);
            this.retryAfter = retryAfter;
        }

        public Duration retryAfter() {
            return retryAfter;
        }
    }
}
