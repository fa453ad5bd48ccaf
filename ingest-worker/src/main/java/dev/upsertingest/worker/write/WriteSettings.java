package dev.upsertingest.worker.write;

import dev.upsertingest.core.stream.Durability;
import dev.upsertingest.core.stream.StreamDefinition;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;
import java.util.Collection;
import java.util.Locale;

/**
 * How the worker writes batches to PostgreSQL.
 *
 * @param method            how rows travel to the server; the default is the fastest measured (docs/write-methods.md)
 * @param synchronousCommit {@code synchronous_commit} for each batch transaction that writes only unlogged stream
 *                          tables ({@code SET LOCAL}). {@code off} (default) returns before the commit record is
 *                          flushed: a server crash can lose the last few hundred milliseconds of commits, whose Kafka
 *                          offsets may already be committed. That is safe for unlogged tables only: crash recovery
 *                          empties them anyway and the worker rebuilds them from the topic. It cannot corrupt data.
 * @param loggedSynchronousCommit {@code synchronous_commit} for each batch transaction that writes a logged stream's
 *                          table. Default {@code on}: a logged table survives a crash and is never rebuilt, so a commit
 *                          lost after its offsets were committed would be lost for good. {@code off} trades exactly
 *                          that (the last few hundred milliseconds before a server crash) for write speed.
 * @param statementTimeout  {@code statement_timeout} for each statement of a batch transaction; a batch that takes
 *                          longer fails and is retried, instead of holding locks indefinitely
 */
@Validated
@ConfigurationProperties("ingest.write")
public record WriteSettings(
        @NotNull @DefaultValue("unnest") WriteMethod method,
        @NotNull @DefaultValue("off") SynchronousCommit synchronousCommit,
        @NotNull @DefaultValue("on") SynchronousCommit loggedSynchronousCommit,
        @NotNull @DefaultValue("60s") Duration statementTimeout) {

    public WriteSettings {
        if (statementTimeout != null && (statementTimeout.isNegative() || statementTimeout.toMillis() > Integer.MAX_VALUE)) {
            throw new IllegalArgumentException("ingest.write.statement-timeout must be between 0 (none) and 24 days");
        }
    }

    /** What a batch transaction writing these streams' tables sets: the logged setting if any of them is logged. */
    public SynchronousCommit synchronousCommitFor(Collection<StreamDefinition> streams) {
        return streams.stream().anyMatch(s -> s.durability() == Durability.LOGGED) ? loggedSynchronousCommit : synchronousCommit;
    }

    /** The values PostgreSQL accepts for {@code synchronous_commit}. */
    public enum SynchronousCommit {
        ON, OFF, LOCAL, REMOTE_WRITE, REMOTE_APPLY;

        public String setting() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
