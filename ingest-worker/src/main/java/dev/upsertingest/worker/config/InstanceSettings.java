package dev.upsertingest.worker.config;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;

/**
 * Who this worker is, for what it signs in the control schema (refresh history, rebuilds it detected).
 *
 * @param instanceId {@code ingest.instance-id}; defaults to host name and process id
 */
@ConfigurationProperties("ingest")
public record InstanceSettings(@DefaultValue("") String instanceId) {

    public InstanceSettings {
        if (instanceId == null || instanceId.isBlank()) {
            instanceId = defaultInstanceId();
        }
    }

    private static String defaultInstanceId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "unknown-host";
        }
        return host + "/" + ManagementFactory.getRuntimeMXBean().getPid();
    }
}
