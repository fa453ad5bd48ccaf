package dev.upsertingest.api.publish;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A topic's {@code max.message.bytes} as the broker has it, asked only when the broker refused a record as too large
 * (so that the event's rejection can say what the topic takes), and remembered for a minute.
 */
public class TopicLimits implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TopicLimits.class);
    private static final Duration REMEMBER = Duration.ofMinutes(1);
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private record Known(OptionalLong maxMessageBytes, Instant at) {
    }

    private final Supplier<Admin> adminFactory;
    private final Clock clock;
    private final Map<String, Known> known = new ConcurrentHashMap<>();
    private Admin admin;

    public TopicLimits(Supplier<Admin> adminFactory, Clock clock) {
        this.adminFactory = adminFactory;
        this.clock = clock;
    }

    /** The topic's {@code max.message.bytes}, or empty when the broker did not say within two seconds. */
    public OptionalLong maxMessageBytes(String topic) {
        Known remembered = known.get(topic);
        if (remembered != null && clock.instant().isBefore(remembered.at().plus(REMEMBER))) {
            return remembered.maxMessageBytes();
        }
        OptionalLong limit = ask(topic);
        known.put(topic, new Known(limit, clock.instant()));
        return limit;
    }

    private OptionalLong ask(String topic) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        try {
            Config config = admin().describeConfigs(List.of(resource), new DescribeConfigsOptions().timeoutMs((int) TIMEOUT.toMillis()))
                    .all().get(TIMEOUT.toMillis() + 500, TimeUnit.MILLISECONDS).get(resource);
            ConfigEntry entry = config == null ? null : config.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
            return entry == null || entry.value() == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(entry.value()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OptionalLong.empty();
        } catch (Exception e) {
            log.debug("Could not read max.message.bytes of topic {}: {}", topic, e.toString());
            return OptionalLong.empty();
        }
    }

    private synchronized Admin admin() {
        if (admin == null) {
            admin = adminFactory.get();
        }
        return admin;
    }

    @Override
    public synchronized void close() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(2));
        }
    }
}
