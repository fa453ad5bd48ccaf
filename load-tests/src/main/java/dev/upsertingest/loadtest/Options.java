package dev.upsertingest.loadtest;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** {@code --name=value} command-line options, with the set of names a scenario knows so typos fail loudly. */
public final class Options {

    private final Map<String, String> values = new LinkedHashMap<>();
    private final Set<String> read = new TreeSet<>();

    public Options(List<String> args) {
        for (String arg : args) {
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + arg + "' (options look like --name=value)");
            }
            String[] parts = arg.substring(2).split("=", 2);
            values.put(parts[0], parts.length == 2 ? parts[1] : "true");
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

    public boolean flag(String name) {
        return Boolean.parseBoolean(string(name, "false"));
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
