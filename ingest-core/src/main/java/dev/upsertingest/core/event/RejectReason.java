package dev.upsertingest.core.event;

import java.util.Locale;

/**
 * Why an event cannot be written. The {@link #code()} is what dead-letter headers, API responses and metric tags
 * carry; it is stable, lower snake case, and never contains event data.
 */
public enum RejectReason {
    INVALID_JSON,
    NOT_AN_OBJECT,
    MISSING_KEY,
    WRONG_KEY_TYPE,
    KEY_TOO_LONG,
    NUL_CHARACTER,
    INVALID_UNICODE,
    DOCUMENT_TOO_LARGE,
    MISSING_VERSION,
    INVALID_VERSION,
    /** The database refused the event for a data reason (SQLState class 22 or 23) that the checks above missed. */
    DATABASE_REJECTED;

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }
}
