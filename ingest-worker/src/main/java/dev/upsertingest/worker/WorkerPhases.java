package dev.upsertingest.worker;

/**
 * Start order of the worker's lifecycles ({@code SmartLifecycle} phases: a lower phase starts first and stops last),
 * so that what must happen before the first event is written does, without one component calling into another's start.
 *
 * <p>Phases alone do not order two beans when one holds a reference to the other: Spring starts a lifecycle bean's
 * dependencies before it, whatever their phase. So a bean of an earlier phase that must reach the consumers (the rebuild
 * scheduler) gets them lazily ({@code @Lazy ConsumerControl}); IngestPipelineIT fails (events written twice) otherwise.
 */
public final class WorkerPhases {

    /** The stream and dead-letter topics are created first: the crash-recovery check reads their offsets. */
    public static final int TOPICS = Integer.MAX_VALUE - 300;

    /**
     * The first crash-recovery check runs before any consumer starts, so a table emptied while the worker was down is
     * found (and the group rewound) before anything is written to it; the view refresher shares the phase, and being
     * stopped after the consumers, both still have the connection pool while the in-flight batch commits.
     */
    public static final int RECOVERY_AND_REFRESH = Integer.MAX_VALUE - 200;

    /** The consumers start last and stop first. */
    public static final int CONSUMERS = Integer.MAX_VALUE - 100;

    private WorkerPhases() {
    }
}
