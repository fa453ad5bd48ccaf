package dev.upsertingest.cli;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** How figures read in the tables: 1,204 rows, 240 kB, 2.5 s, times in UTC to the second. */
final class Formats {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

    private Formats() {
    }

    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"kB", "MB", "GB", "TB"};
        double value = n;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, value < 10 ? "%.1f %s" : "%.0f %s", value, units[unit]);
    }

    static String rate(Double perSecond) {
        return perSecond == null ? "-" : String.format(Locale.ROOT, perSecond < 10 ? "%.1f" : "%,.0f", perSecond);
    }

    static String time(Instant instant) {
        return instant == null ? "-" : TIME.format(instant.truncatedTo(ChronoUnit.SECONDS));
    }

    static String seconds(Double seconds) {
        if (seconds == null) {
            return "-";
        }
        if (seconds < 120) {
            return String.format(Locale.ROOT, "%.1f s", seconds);
        }
        Duration d = Duration.ofMillis((long) (seconds * 1000));
        return d.toHours() > 0 ? d.toHours() + " h " + d.toMinutesPart() + " min" : d.toMinutes() + " min";
    }

    static String byReason(Map<String, Long> byReason) {
        return byReason.entrySet().stream().map(e -> e.getKey() + " " + count(e.getValue())).collect(Collectors.joining(", "));
    }
}
