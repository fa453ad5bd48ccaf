package dev.upsertingest.worker.recovery;

import java.util.Arrays;
import java.util.List;

/**
 * Where a rebuild stands, as {@code ingest.stream_rebuild.state} holds it (the column's check constraint in
 * V5__crash_recovery.sql lists the same words; {@code ingest.request_rebuild} in V8 starts one as {@link #REWINDING}).
 */
enum RebuildState {
    /** The table was found emptied; every replica stops its consumers so the group's offsets can be moved back. */
    REWINDING("rewinding"),
    /** Offsets moved back: the consumers replay the topic until the committed offsets pass the recorded targets. */
    REPLAYING("replaying"),
    /** Replayed: the marker says complete again, and the views over the stream are refreshed again. */
    DONE("done"),
    /** The table was emptied again before this rebuild finished; a new one took over. */
    SUPERSEDED("superseded");

    /** The states of a rebuild that still runs (at most one per stream, by a unique index). */
    static final List<RebuildState> RUNNING = List.of(REWINDING, REPLAYING);

    private final String column;

    RebuildState(String column) {
        this.column = column;
    }

    /** The word in the {@code state} column. */
    String column() {
        return column;
    }

    static List<String> columns(List<RebuildState> states) {
        return states.stream().map(RebuildState::column).toList();
    }

    static RebuildState ofColumn(String column) {
        return Arrays.stream(values()).filter(state -> state.column.equals(column)).findFirst()
                .orElseThrow(() -> new IllegalStateException("unknown rebuild state in ingest.stream_rebuild: " + column));
    }
}
