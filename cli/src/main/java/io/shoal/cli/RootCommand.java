package io.shoal.cli;

import io.shoal.api.BuildInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine;

/** The root command, {@code shoal}, without its subcommands ({@link ShoalCommand} has them all). */
@Command(name = "shoal", mixinStandardHelpOptions = true, versionProvider = RootCommand.Version.class,
        description = "Shoal: container orchestration in the spirit of swarm mode.")
public class RootCommand implements Runnable {
    /** The daemon's socket when neither {@code --host} nor {@code SHOAL_HOST} names one. */
    public static final String DEFAULT_HOST = "unix:///run/shoal/shoal.sock";
    private static volatile String host = DEFAULT_HOST;

    @Option(names = {"-H", "--host"}, scope = ScopeType.INHERIT,
            description = "Daemon to talk to: unix:///path or tcp://IP:PORT (env SHOAL_HOST; default ${DEFAULT-VALUE}).",
            defaultValue = "${env:SHOAL_HOST:-" + DEFAULT_HOST + "}")
    void setHost(String h) {
        host = h;
    }

    public static String currentHost() {
        return host;
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** What {@code shoal --version} prints, as {@code docker --version}: one line with the version and the commit. */
    public static String versionLine() {
        return "shoal version " + BuildInfo.version() + ", build " + BuildInfo.commit();
    }

    /** Picocli's {@code --version}. */
    public static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {versionLine()};
        }
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }
}
