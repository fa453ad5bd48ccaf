package dev.upsertingest.core.stream;

/** The stream registry cannot be used as it stands; the message lists what to fix. */
public class StreamCatalogException extends RuntimeException {
    public StreamCatalogException(String message) {
        super(message);
    }
}
