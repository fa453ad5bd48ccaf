package dev.upsertingest.api.query;

/** 400: a filter, sort, page size or cursor the API cannot serve; the message says which and why. */
public class BadQueryException extends RuntimeException {
    public BadQueryException(String message) {
        super(message);
    }
}
