package dev.upsertingest.worker.write;

import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;
import java.util.Locale;

/**
 * How the worker writes batches to PostgreSQL.
 *
 * @param method            how rows travel to the server; the default is the fastest measured (docs/write-methods.md)
 * @param synchronousCommit {@code synchronous_commit} for each batch transaction ({@code SET LOCAL}). {@code off}
 *                          (default) returns before the commit record is flushed: a server crash can lose the last
 *                          few hundred milliseconds of commits, which is safe here because Kafka offsets are committed
 *                          only after the transaction and the lost batches are consumed again. It cannot corrupt data.
 * @param statementTimeout  {@code statement_timeout} for each statement of a batch transaction; a batch that takes
 *                          longer fails and is retried, instead of holding locks indefinitely
 */
@Validated
@ConfigurationProperties("ingest.write")
public record WriteSettings(
        @NotNull @DefaultValue("unnest") WriteMethod method,
        @NotNull @DefaultValue("off") SynchronousCommit synchronousCommit,
        @NotNull @DefaultValue("60s") Duration statementTimeout) {

    public WriteSettings {
        if (statementTimeout != null && (statementTimeout.isNegative() || statementTimeout.toMillis() > Integer.MAX_VALUE)) {
            throw new IllegalArgumentException("ingest.write.statement-timeout must be between 0 (none) and 24 days");
        }
    }

    /** The values PostgreSQL accepts for {@code synchronous_commit}. */
    public enum SynchronousCommit {
        ON, OFF, LOCAL, REMOTE_WRITE, REMOTE_APPLY;

        public String setting() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
