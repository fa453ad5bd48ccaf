package dev.upsertingest.api.publish;

import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.BrokerNotAvailableException;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.errors.NotEnoughReplicasAfterAppendException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.LeaderNotAvailableException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.springframework.kafka.KafkaException;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Why Kafka did not take a record, sorted by what it means for the caller and for the {@code kafka-publish} circuit
 * breaker. Only {@link Kind#UNAVAILABLE} says the broker is down or unreachable, so only it counts toward opening the
 * breaker: a record too large, a record the broker calls invalid, or a producer the broker refuses to serve says
 * nothing about availability, and counting it would let one client's bad input shut every client out.
 *
 * @param kind   what it means
 * @param cause  the Kafka exception, unwrapped (for the log)
 * @param reason what happened, in words fit for a response: never an exception's class or message, which may name
 *               internals
 */
record KafkaFailure(Kind kind, Throwable cause, String reason) {

    enum Kind {
        /** The broker is down, unreachable, or cannot take writes now (timeouts, network, leaders, replicas): 503, retry. */
        UNAVAILABLE,
        /** This record is larger than the producer or the topic takes: the event's own rejection, never worth a retry. */
        TOO_LARGE,
        /** Kafka refuses the API's writes for a reason that retrying will not change (authorization, an invalid record). */
        REFUSED
    }

    static KafkaFailure of(Throwable failure) {
        Throwable cause = unwrap(failure);
        return switch (cause) {
            case RecordTooLargeException e -> new KafkaFailure(Kind.TOO_LARGE, e, "the record is too large for Kafka");
            case RecordBatchTooLargeException e -> new KafkaFailure(Kind.TOO_LARGE, e, "the record is too large for Kafka");
            case java.util.concurrent.TimeoutException e ->
                    new KafkaFailure(Kind.UNAVAILABLE, e, "the broker did not acknowledge them in time");
            case TimeoutException e -> new KafkaFailure(Kind.UNAVAILABLE, e, "the broker did not answer in time");
            case NotEnoughReplicasException e ->
                    new KafkaFailure(Kind.UNAVAILABLE, e, "too few in-sync replicas of the topic are available");
            case NotEnoughReplicasAfterAppendException e ->
                    new KafkaFailure(Kind.UNAVAILABLE, e, "too few in-sync replicas of the topic are available");
            case NotLeaderOrFollowerException e ->
                    new KafkaFailure(Kind.UNAVAILABLE, e, "a partition of the topic is changing leaders");
            case LeaderNotAvailableException e ->
                    new KafkaFailure(Kind.UNAVAILABLE, e, "a partition of the topic has no leader");
            case UnknownTopicOrPartitionException e ->
                    new KafkaFailure(Kind.UNAVAILABLE, e, "the stream's topic is not available");
            case NetworkException e -> new KafkaFailure(Kind.UNAVAILABLE, e, "the connection to the broker failed");
            case BrokerNotAvailableException e -> new KafkaFailure(Kind.UNAVAILABLE, e, "no broker is available");
            case InterruptException e -> new KafkaFailure(Kind.UNAVAILABLE, e, "the send was interrupted");
            // After a broker failure the idempotent producer may lose track of its sequence numbers (or its producer id,
            // a subclass); it recovers by itself.
            case OutOfOrderSequenceException e -> new KafkaFailure(Kind.UNAVAILABLE, e, "the broker lost track of the producer");
            case CorruptRecordException e -> new KafkaFailure(Kind.REFUSED, e, "the broker refused a record as corrupt");
            case RetriableException e -> new KafkaFailure(Kind.UNAVAILABLE, e, "Kafka is temporarily unavailable");
            case AuthorizationException e ->
                    new KafkaFailure(Kind.REFUSED, e, "the API is not authorized to write to the stream's topic");
            case AuthenticationException e -> new KafkaFailure(Kind.REFUSED, e, "the API could not authenticate to Kafka");
            case InvalidRecordException e -> new KafkaFailure(Kind.REFUSED, e, "the broker refused a record as invalid");
            case InvalidTopicException e -> new KafkaFailure(Kind.REFUSED, e, "the stream's topic name is not valid in Kafka");
            case SerializationException e -> new KafkaFailure(Kind.REFUSED, e, "a record could not be serialized");
            default -> new KafkaFailure(Kind.REFUSED, cause, "Kafka refused the events");
        };
    }

    /** The failure itself, without the futures' and Spring's wrappers. */
    static Throwable unwrap(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof ExecutionException || t instanceof CompletionException || t instanceof KafkaException)
                && t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }
}
