package dev.upsertingest.fuzz;

/** The two ways an event gets in: straight onto the stream topic, or over HTTP through the API. */
public enum Door {
    KAFKA, HTTP
}
