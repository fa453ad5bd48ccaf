package dev.upsertingest.worker.recovery;

import org.jooq.Query;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The rebuilder's per-stream lock, by the exact SQL: a blocking row lock on the control schema, no advisory lock. */
class RebuildStatementsTest {

    private final RebuildStatements sql = new RebuildStatements(DSL.using(SQLDialect.POSTGRES));

    @Test
    void theLockCreatesTheStreamsRowIfNeededAndWaitsForIt() {
        assertThat(sql.lockQueries("orders")).extracting(Query::getSQL).containsExactly(
                "insert into \"ingest\".\"worker_lock\" (\"scope\", \"name\") values (?, ?) on conflict do nothing",
                "select \"ingest\".\"worker_lock\".\"name\" from \"ingest\".\"worker_lock\" "
                        + "where (\"ingest\".\"worker_lock\".\"scope\" = ? and \"ingest\".\"worker_lock\".\"name\" = ?) "
                        + "for update");
        assertThat(sql.lockQueries("orders")).allSatisfy(q ->
                assertThat(q.getBindValues()).containsExactly("stream_rebuild", "orders"));
    }
}
