package dev.upsertingest.core.view;

import org.jooq.DSLContext;
import org.jooq.JSONB;
import tools.jackson.databind.json.JsonMapper;
import org.jooq.types.YearToSecond;

import java.time.Duration;
import java.util.List;

import static dev.upsertingest.schema.Tables.VIEW;

/** Reads the registered views ({@code ingest.view}). */
public final class ViewCatalogRepository {

    private final DSLContext dsl;

    public ViewCatalogRepository(DSLContext dsl) {
        this.dsl = dsl;
    }

    public List<ViewDefinition> load() {
        return dsl.selectFrom(VIEW).orderBy(VIEW.NAME).fetch(row -> new ViewDefinition(
                row.getName(),
                row.getStream(),
                row.getViewSchema(),
                toDuration(row.getRefreshInterval()),
                keepsDocument(row.getDefinition())));
    }

    private static boolean keepsDocument(JSONB definition) {
        return definition != null && JsonMapper.shared().readTree(definition.data()).path("keep_document").asBoolean(false);
    }

    private static Duration toDuration(YearToSecond interval) {
        return interval == null ? Duration.ofSeconds(10) : interval.toDuration();
    }
}
