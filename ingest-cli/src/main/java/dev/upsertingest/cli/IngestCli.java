package dev.upsertingest.cli;

import dev.upsertingest.loadtest.BenchCommand;
import dev.upsertingest.local.LocalCommand;
import dev.upsertingest.local.ViewCheck;
import dev.upsertingest.local.Versions;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/**
 * {@code bin/ingest}: the whole command line. Every command and subcommand takes {@code --help} and {@code --version};
 * options take {@code --name value} and {@code --name=value}; booleans take {@code =true} and {@code =false}. Exit
 * status: 0 done, 1 the operation failed or was refused, 2 a usage error.
 */
@Command(name = "ingest", mixinStandardHelpOptions = true, versionProvider = Versions.class,
        usageHelpAutoWidth = false, usageHelpWidth = 110,
        description = {"Upsert Ingest: run the whole system here, benchmark it, and operate a running one.", "",
                "bin/ingest finds a JDK >= 21 by itself (JAVA_HOME, the java on PATH, then the usual install directories) "
                        + "and builds what it runs when the sources changed; --help and --version answer without a build."},
        commandListHeading = "%nCommands:%n",
        footer = {"", "bin/ingest COMMAND --help says more about each. Exit status: 0 done, 1 failed or refused, 2 usage error."})
public final class IngestCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        // Exits even while client threads linger (bin/ingest local returns here only once Ctrl-C stopped everything).
        System.exit(commandLine().execute(args));
    }

    /** The command tree, as bin/ingest runs it (and as the help files and the completion script are made from). */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new IngestCli());
        cli.addSubcommand("local", LocalCommand.commandLine());
        cli.addSubcommand("status", new CommandLine(new StatusCommand()));
        cli.addSubcommand("rebuild", new CommandLine(new RebuildCommand()));
        cli.addSubcommand("refresh", new CommandLine(new RefreshCommand()));
        cli.addSubcommand("dlt", new CommandLine(new DltCommand())
                .addSubcommand(new DltCommand.ListLetters())
                .addSubcommand(new DltCommand.Show())
                .addSubcommand(new DltCommand.Replay()));
        cli.addSubcommand("check-view", new CommandLine(new ViewCheck()));
        cli.addSubcommand("bench", BenchCommand.commandLine());
        cli.addSubcommand("completion", new CommandLine(new Completion()));
        cli.addSubcommand("help", new CommandLine(new CommandLine.HelpCommand()));
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("bin/ingest " + commandLine.getCommandName() + ": " + e.getMessage());
            return 1;
        });
        return cli;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The bash (and zsh, via bashcompinit) completion script of the whole command tree. */
    @Command(name = "completion", mixinStandardHelpOptions = true, versionProvider = Versions.class,
            description = {"Prints the shell completion script for bin/ingest (bash; zsh with bashcompinit). It is also "
                    + "committed as bin/ingest-completion.bash:", "  source bin/ingest-completion.bash"})
    static final class Completion implements Runnable {

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            PrintWriter out = spec.commandLine().getOut();
            out.print(script());
            out.flush();
        }

        static String script() {
            return AutoComplete.bash("ingest", commandLine());
        }
    }
}
