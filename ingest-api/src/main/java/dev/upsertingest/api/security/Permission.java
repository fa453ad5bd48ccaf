package dev.upsertingest.api.security;

import java.util.Locale;

/** What an API client may do. Each is a granted authority of the same name. */
public enum Permission {
    /** POST events to streams (all, or the client's listed streams). */
    PUBLISH,
    /** GET views and their rows. */
    QUERY,
    /** Actuator endpoints other than health (metrics, Prometheus). */
    OPERATE,
    /** The admin endpoints ({@code /api/v1/admin/...}): status, rebuilds, refreshes, dead letters and their replay. */
    ADMIN;

    public String authority() {
        return name();
    }

    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
