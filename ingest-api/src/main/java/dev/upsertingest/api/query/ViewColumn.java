package dev.upsertingest.api.query;

/**
 * A column of a view, as the database catalog describes it.
 *
 * @param name     column name
 * @param sqlType  its type as PostgreSQL writes it
 * @param type     how the API parses and prints its values
 * @param key      part of the view's key (the stream's primary key)
 * @param sortable the leading column of an index, so sorting by it is cheap
 */
public record ViewColumn(String name, String sqlType, ColumnType type, boolean key, boolean sortable) {
}
