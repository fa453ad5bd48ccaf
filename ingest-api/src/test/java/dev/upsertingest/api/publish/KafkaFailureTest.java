package dev.upsertingest.api.publish;

import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.BrokerNotAvailableException;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.errors.NotEnoughReplicasAfterAppendException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownProducerIdException;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.core.KafkaProducerException;

import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

import static dev.upsertingest.api.publish.KafkaFailure.Kind.REFUSED;
import static dev.upsertingest.api.publish.KafkaFailure.Kind.TOO_LARGE;
import static dev.upsertingest.api.publish.KafkaFailure.Kind.UNAVAILABLE;
import static org.assertj.core.api.Assertions.assertThat;

/** Only unavailability counts toward the breaker; and no reason a caller reads names a class. */
class KafkaFailureTest {

    @Test
    void onlyABrokerThatIsDownOrUnreachableIsUnavailable() {
        assertThat(KafkaFailure.of(new TimeoutException("Expiring 1 record(s)")).kind()).isEqualTo(UNAVAILABLE);
        assertThat(KafkaFailure.of(new java.util.concurrent.TimeoutException()).kind()).isEqualTo(UNAVAILABLE);
        assertThat(KafkaFailure.of(new NetworkException("x")).kind()).isEqualTo(UNAVAILABLE);
        assertThat(KafkaFailure.of(new NotEnoughReplicasException("x")).kind()).isEqualTo(UNAVAILABLE);
        assertThat(KafkaFailure.of(new NotEnoughReplicasAfterAppendException("x")).kind()).isEqualTo(UNAVAILABLE);
        assertThat(KafkaFailure.of(new NotLeaderOrFollowerException("x")).kind()).isEqualTo(UNAVAILABLE);
        assertThat(KafkaFailure.of(new BrokerNotAvailableException("x")).kind()).isEqualTo(UNAVAILABLE);
        assertThat(KafkaFailure.of(new UnknownProducerIdException("x")).kind()).isEqualTo(UNAVAILABLE);

        assertThat(KafkaFailure.of(new RecordTooLargeException("x")).kind()).isEqualTo(TOO_LARGE);
        assertThat(KafkaFailure.of(new InvalidRecordException("x")).kind()).isEqualTo(REFUSED);
        assertThat(KafkaFailure.of(new SerializationException("x")).kind()).isEqualTo(REFUSED);
        assertThat(KafkaFailure.of(new TopicAuthorizationException(Set.of("t"))).kind()).isEqualTo(REFUSED);
        assertThat(KafkaFailure.of(new SaslAuthenticationException("x")).kind()).isEqualTo(REFUSED);
        assertThat(KafkaFailure.of(new IllegalStateException("x")).kind()).isEqualTo(REFUSED);
    }

    @Test
    void looksThroughTheWrappersOfFuturesAndSpring() {
        RecordTooLargeException cause = new RecordTooLargeException("The request included a message larger than the max message size");
        KafkaProducerException spring = new KafkaProducerException(new ProducerRecord<>("t", "v"), "Failed to send", cause);
        KafkaFailure failure = KafkaFailure.of(new ExecutionException(new CompletionException(spring)));
        assertThat(failure.kind()).isEqualTo(TOO_LARGE);
        assertThat(failure.cause()).isSameAs(cause);
    }

    @Test
    void reasonsAreWordsNeverClassNamesOrMessages() {
        for (Throwable failure : new Throwable[]{new TimeoutException("Topic t not present in metadata after 3000 ms."),
                new NetworkException("Disconnected from node 1"), new TopicAuthorizationException(Set.of("secret-topic")),
                new InvalidRecordException("Compacted topic cannot accept message without key"), new IllegalStateException("boom")}) {
            String reason = KafkaFailure.of(failure).reason();
            assertThat(reason).doesNotContain("Exception", "org.", failure.getMessage());
        }
    }
}
