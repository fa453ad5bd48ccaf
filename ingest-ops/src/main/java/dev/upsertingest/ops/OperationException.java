package dev.upsertingest.ops;

/**
 * An operation that cannot be done, said so that a person knows why: the API answers it as a problem detail of the
 * kind's status, {@code bin/ingest} prints it and exits non-zero.
 */
public final class OperationException extends RuntimeException {

    /** Why, in the terms of HTTP (404, 409, 400, 503), which the API answers with. */
    public enum Kind {
        /** No such stream, view or dead letter. */
        NOT_FOUND,
        /** The system's state refuses it now (a rebuild is running already; a logged stream). */
        CONFLICT,
        /** The request itself is wrong (a selection that selects nothing, a bad range). */
        BAD_REQUEST,
        /** The database or the broker could not be reached. */
        UNAVAILABLE
    }

    private final Kind kind;

    public OperationException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public OperationException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
