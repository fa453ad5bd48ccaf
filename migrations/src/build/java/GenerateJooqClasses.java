// Build-time jOOQ code generation for the control schema, run by exec-maven-plugin in generate-sources.
//
// Starts a throwaway embedded PostgreSQL (Maven Central binaries, no Docker, no installed server), applies the
// project's Flyway migrations to it, and generates jOOQ classes from the migrated schema, so the generated code
// always matches the real DDL (jOOQ's DDLDatabase cannot parse UNLOGGED tables or materialized views).
// Skips all of that when the migrations have not changed since the last generation.

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.flywaydb.core.Flyway;
import org.jooq.codegen.GenerationTool;
import org.jooq.meta.jaxb.Configuration;
import org.jooq.meta.jaxb.Database;
import org.jooq.meta.jaxb.Generate;
import org.jooq.meta.jaxb.Generator;
import org.jooq.meta.jaxb.Jdbc;
import org.jooq.meta.jaxb.Target;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.stream.Stream;

public class GenerateJooqClasses {

    public static void main(String[] args) throws Exception {
        Path migrations = Path.of(args[0]);
        Path output = Path.of(args[1]);
        String packageName = args[2];
        String schema = args[3];

        String fingerprint = fingerprint(migrations, packageName, schema);
        Path stamp = output.resolve(".migrations-fingerprint");
        if (Files.exists(stamp) && Files.readString(stamp).equals(fingerprint)) {
            System.out.println("[jooq-codegen] migrations unchanged, keeping " + output);
            return;
        }

        long started = System.nanoTime();
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start()) {
            String url = postgres.getJdbcUrl("postgres", "postgres");
            Flyway.configure()
                    .dataSource(url, "postgres", "postgres")
                    .locations("filesystem:" + migrations.toAbsolutePath())
                    .load()
                    .migrate();
            GenerationTool.generate(new Configuration()
                    .withLogging(org.jooq.meta.jaxb.Logging.WARN)
                    .withJdbc(new Jdbc().withDriver("org.postgresql.Driver").withUrl(url).withUser("postgres").withPassword("postgres"))
                    .withGenerator(new Generator()
                            .withDatabase(new Database()
                                    .withName("org.jooq.meta.postgres.PostgresDatabase")
                                    .withInputSchema(schema)
                                    .withExcludes("flyway_schema_history"))
                            .withGenerate(new Generate()
                                    .withRecords(true)
                                    .withPojos(false)
                                    .withRoutines(false)
                                    .withGeneratedAnnotation(false)
                                    .withComments(true))
                            .withTarget(new Target()
                                    .withPackageName(packageName)
                                    .withDirectory(output.toAbsolutePath().toString())
                                    .withClean(true))));
        }
        Files.writeString(stamp, fingerprint);
        System.out.printf("[jooq-codegen] generated %s from %s in %d ms%n",
                packageName, migrations, (System.nanoTime() - started) / 1_000_000);
    }

    private static String fingerprint(Path migrations, String packageName, String schema) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        digest.update((packageName + "\n" + schema + "\n").getBytes());
        try (Stream<Path> files = Files.walk(migrations)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                digest.update(migrations.relativize(file).toString().getBytes());
                digest.update(Files.readAllBytes(file));
            }
        }
        // A jOOQ upgrade changes the generated code too.
        digest.update(String.valueOf(GenerationTool.class.getPackage().getImplementationVersion()).getBytes());
        return HexFormat.of().formatHex(digest.digest());
    }
}
