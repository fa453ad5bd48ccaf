package dev.upsertingest.worker.config;

import org.springframework.stereotype.Component;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which streams are being rebuilt from their topic right now. Their views are not refreshed meanwhile, so that
 * readers keep the last complete contents rather than a half-rebuilt table's.
 */
@Component
public class StreamRebuilds {

    private final Set<String> rebuilding = ConcurrentHashMap.newKeySet();

    public boolean isRebuilding(String stream) {
        return rebuilding.contains(stream);
    }

    public void started(String stream) {
        rebuilding.add(stream);
    }

    public void finished(String stream) {
        rebuilding.remove(stream);
    }

    public Set<String> rebuilding() {
        return Set.copyOf(rebuilding);
    }
}
