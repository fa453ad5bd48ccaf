package dev.upsertingest.ops;

import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.cfg.DateTimeFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The JSON of the operations' documents, as the API writes them (snake_case, times as ISO-8601 text): what
 * {@code bin/ingest ... --output=json} prints is what {@code GET /api/v1/admin/...} returns.
 */
public final class OpsJson {

    public static final JsonMapper MAPPER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(DateTimeFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    /** The same, indented for people. */
    public static final JsonMapper INDENTED = MAPPER.rebuild().enable(SerializationFeature.INDENT_OUTPUT).build();

    private OpsJson() {
    }
}
