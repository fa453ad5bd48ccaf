package dev.upsertingest.cli;

import picocli.CommandLine;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/** A moment: ISO-8601 ({@code 2026-12-01T10:00:00Z}) or a time ago ({@code 30m}, {@code 2h}: that long before now). */
final class Instants implements CommandLine.ITypeConverter<Instant> {

    @Override
    public Instant convert(String value) {
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException notIso) {
            try {
                return Instant.now().minus(Durations.parse(value));
            } catch (CommandLine.TypeConversionException e) {
                throw new CommandLine.TypeConversionException("'" + value
                        + "' is neither a time (2026-12-01T10:00:00Z) nor a time ago (30m, 2h)");
            }
        }
    }
}
