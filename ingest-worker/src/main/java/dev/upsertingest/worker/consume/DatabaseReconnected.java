package dev.upsertingest.worker.consume;

import java.time.Duration;

/**
 * Published (on the thread that closed the database circuit) each time PostgreSQL is back after an outage: whoever
 * must look at the database again at once, rather than at its next interval, listens for it.
 *
 * @param outage how long the database was unavailable
 */
public record DatabaseReconnected(Duration outage) {
}
