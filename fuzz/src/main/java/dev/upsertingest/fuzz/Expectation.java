package dev.upsertingest.fuzz;

import dev.upsertingest.core.event.RejectReason;

/**
 * What the event rules should answer for a hostile event, as its generator knows it: one answer for inputs that
 * break exactly one rule (or none), none for inputs mangled at random.
 */
public sealed interface Expectation {

    /** The rules accept it: it is published (HTTP) or applied (Kafka), never dead-lettered. */
    record Accept() implements Expectation {
    }

    /**
     * The rules accept it, but it is sized around a topic's {@code max.message.bytes}: Kafka may refuse the record
     * (over HTTP a {@code document_too_large} rejection; through Kafka it never reaches the topic).
     */
    record AcceptUnlessTopicRefuses() implements Expectation {
    }

    /** The rules refuse it, for this reason. */
    record Reject(RejectReason reason) implements Expectation {
    }

    /** Mangled at random: any documented answer is right. */
    record Any() implements Expectation {
    }

    Accept ACCEPT = new Accept();
    AcceptUnlessTopicRefuses ACCEPT_UNLESS_TOPIC_REFUSES = new AcceptUnlessTopicRefuses();
    Any ANY = new Any();

    static Reject reject(RejectReason reason) {
        return new Reject(reason);
    }

    /**
     * Whether an answer meets the expectation.
     *
     * @param rejection the reason the event was refused for, {@code null} when it was accepted
     */
    default boolean allows(RejectReason rejection) {
        return switch (this) {
            case Accept ignored -> rejection == null;
            case AcceptUnlessTopicRefuses ignored -> rejection == null || rejection == RejectReason.DOCUMENT_TOO_LARGE;
            case Reject reject -> rejection == reject.reason();
            case Any ignored -> true;
        };
    }

    default String describe() {
        return switch (this) {
            case Accept ignored -> "accepted";
            case AcceptUnlessTopicRefuses ignored -> "accepted (or too large for the topic)";
            case Reject reject -> "rejected as " + reject.reason().code();
            case Any ignored -> "any documented answer";
        };
    }
}
