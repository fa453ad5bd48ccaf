package dev.upsertingest.loadtest;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A scenario's command-line options ({@code --name value} or {@code --name=value}, GNU style), with the set of names a
 * scenario knows so typos fail loudly. {@link BenchCommand} hands a scenario everything after its name.
 */
public final class Options {

    private final Map<String, String> values = new LinkedHashMap<>();
    private final Set<String> read = new TreeSet<>();

    /**
     * @param args {@code --name value}, {@code --name=value}, or {@code --name} alone (a flag: true); a value that
     *             starts with {@code --} needs the {@code =} form
     */
    public Options(List<String> args) {
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw new IllegalArgumentException("unexpected argument '" + arg
                        + "' (options look like --name value or --name=value)");
            }
            String option = arg.substring(2);
            int equals = option.indexOf('=');
            if (equals >= 0) {
                values.put(option.substring(0, equals), option.substring(equals + 1));
            } else if (i + 1 < args.size() && !args.get(i + 1).startsWith("--")) {
                values.put(option, args.get(++i));
            } else {
                values.put(option, "true");
            }
        }
    }

    public String string(String name, String fallback) {
        read.add(name);
        return values.getOrDefault(name, fallback);
    }

    public long number(String name, long fallback) {
        String value = string(name, null);
        if (value == null) {
            return fallback;
        }
        try {
            return Long.parseLong(value.replace("_", "").replace(",", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a whole number, got '" + value + "'");
        }
    }

    public List<String> list(String name, String fallback) {
        return Arrays.stream(string(name, fallback).split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    /** The value of {@code --name}, which must be one of {@code allowed}; {@code fallback} when not given. */
    public String choice(String name, String fallback, String... allowed) {
        String value = string(name, fallback);
        if (!Arrays.asList(allowed).contains(value)) {
            throw new IllegalArgumentException("--" + name + " must be one of " + String.join(", ", allowed) + ", got '" + value + "'");
        }
        return value;
    }

    /** {@code --name} or {@code --name=true} is true, {@code --name=false} or no {@code --name} false; nothing else. */
    public boolean flag(String name) {
        String value = string(name, "false");
        if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(value);
        }
        throw new IllegalArgumentException("--" + name + " is true or false, got '" + value + "'");
    }

    /** Fails on options nobody read: a misspelt option must not silently run the default. */
    public void rejectUnknown() {
        Set<String> unknown = new TreeSet<>(values.keySet());
        unknown.removeAll(read);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown option(s): --" + String.join(", --", unknown));
        }
    }

    public Map<String, String> given() {
        return Map.copyOf(values);
    }
}
