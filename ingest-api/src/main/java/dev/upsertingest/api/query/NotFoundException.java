package dev.upsertingest.api.query;

/** 404: no such view, or no row with that key. */
public class NotFoundException extends RuntimeException {
    public NotFoundException(String message) {
        super(message);
    }
}
