package dev.upsertingest.core.view;

import dev.upsertingest.schema.tables.records.ViewRecord;
import org.jooq.DSLContext;
import org.jooq.JSONB;
import org.jooq.types.YearToSecond;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static dev.upsertingest.schema.Tables.VIEW;

/** Reads the registered views ({@code ingest.view}). */
public final class ViewCatalogRepository {

    private final DSLContext dsl;

    public ViewCatalogRepository(DSLContext dsl) {
        this.dsl = dsl;
    }

    public List<ViewDefinition> load() {
        return dsl.selectFrom(VIEW).orderBy(VIEW.NAME).fetch(ViewCatalogRepository::definition);
    }

    /** One view as registered now, if it is. */
    public Optional<ViewDefinition> load(String name) {
        return dsl.selectFrom(VIEW).where(VIEW.NAME.eq(name)).fetchOptional(ViewCatalogRepository::definition);
    }

    private static ViewDefinition definition(ViewRecord row) {
        JsonNode declaration = declaration(row.getDefinition());
        return new ViewDefinition(
                row.getName(),
                row.getStream(),
                row.getViewSchema(),
                toDuration(row.getRefreshInterval()),
                declaration.path("keep_document").asBoolean(false),
                RefreshMode.fromSql(row.getRefreshMode()),
                columnNames(declaration));
    }

    private static JsonNode declaration(JSONB definition) {
        return definition == null ? JsonMapper.shared().createObjectNode() : JsonMapper.shared().readTree(definition.data());
    }

    private static List<String> columnNames(JsonNode definition) {
        List<String> names = new ArrayList<>();
        for (JsonNode column : definition.path("columns")) {
            names.add(column.path("name").asString());
        }
        return names;
    }

    private static Duration toDuration(YearToSecond interval) {
        return interval == null ? Duration.ofSeconds(10) : interval.toDuration();
    }
}
