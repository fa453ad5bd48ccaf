package dev.upsertingest.worker.consume;

/**
 * The one way anything other than the application lifecycle stops this worker's stream consumers for a while, with the
 * reason why. Each reason is set and lifted by its one owner: the database circuit ({@link PauseReason#DATABASE_OUTAGE})
 * and the rebuild coordinator ({@link PauseReason#REBUILD}). Setting a reason that is already set, or lifting one that
 * is not, does nothing, so an owner may repeat itself on every check.
 */
public interface ConsumerControl {

    /** Why the consumers are stopped, and so how: a short outage keeps the partitions, a rewind needs the group empty. */
    enum PauseReason {
        /**
         * PostgreSQL is unavailable: the consumers stop fetching but stay in the group and keep their partitions, and
         * the batch in hand waits in the error handler's backoff. Takes effect on the running consumer threads only
         * (a thread that starts later must still make the attempt that tells whether the database is back).
         */
        DATABASE_OUTAGE,
        /**
         * A stream's committed offsets are being moved back for a rebuild, which Kafka allows only while the group has
         * no member: the in-flight batch finishes and commits, and the consumers leave the group until lifted.
         */
        REBUILD
    }

    /** Stops the consumers for this reason (see each reason for how); returns at once for an outage. */
    void pause(PauseReason reason);

    /** Lifts this reason; the consumers run again when no other reason holds them and the application wants them. */
    void resume(PauseReason reason);

    /**
     * Whether this reason holds the consumers now: for an outage, whether every thread that has partitions has
     * actually paused; for a rebuild, whether it was asked for and not lifted.
     */
    boolean isPausedFor(PauseReason reason);

    /** The consumer group whose members this controls (a rebuild moves its offsets). */
    String groupId();
}
