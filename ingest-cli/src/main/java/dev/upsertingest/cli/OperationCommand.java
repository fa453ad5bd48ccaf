package dev.upsertingest.cli;

import dev.upsertingest.ops.OperationException;
import dev.upsertingest.ops.Operations;
import picocli.CommandLine;
import dev.upsertingest.ops.OpsJson;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * An operation on a running system: opens the {@link Target}, runs, says in one line why it could not (exit 1), or
 * what was wrong with the command line (exit 2).
 */
abstract class OperationCommand implements Callable<Integer> {

    /** How results are printed: a table for people, or JSON (the API's documents) for scripts. */
    enum Output { table, json }

    @CommandLine.Mixin
    Target target;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    abstract int run(Operations operations, PrintWriter out) throws InterruptedException;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (Operations operations = target.open()) {
            return run(operations, out);
        } catch (OperationException e) {
            err.println("bin/ingest " + name() + ": " + e.getMessage());
            return 1;
        } catch (IllegalArgumentException e) {
            err.println("bin/ingest " + name() + ": " + e.getMessage());
            return 2;
        } finally {
            out.flush();
            err.flush();
        }
    }

    private String name() {
        return spec.qualifiedName(" ").replaceFirst("^ingest ", "");
    }

    static void json(PrintWriter out, Object document) {
        out.println(OpsJson.INDENTED.writeValueAsString(document));
    }
}
