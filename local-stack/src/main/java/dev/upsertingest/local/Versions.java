package dev.upsertingest.local;

import picocli.CommandLine;

/** What {@code bin/ingest --version} says: the project's version, and the Java that runs it. */
public final class Versions implements CommandLine.IVersionProvider {

    /** The project's version (also in the poms; bin/ingest has it for the jar names). */
    public static final String VERSION = "0.1.0-SNAPSHOT";

    @Override
    public String[] getVersion() {
        return new String[]{"Upsert Ingest " + VERSION};
    }
}
