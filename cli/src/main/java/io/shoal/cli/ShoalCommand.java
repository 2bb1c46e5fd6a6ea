package io.shoal.cli;

import io.shoal.cli.commands.CaCommand;
import io.shoal.api.BuildInfo;
import io.shoal.cli.commands.ConfigCommand;
import io.shoal.cli.commands.EventsCommand;
import io.shoal.cli.commands.ImageCommand;
import io.shoal.cli.commands.InfoCommand;
import io.shoal.cli.commands.InitCommand;
import io.shoal.cli.commands.JoinCommand;
import io.shoal.cli.commands.JoinTokenCommand;
import io.shoal.cli.commands.LeaveCommand;
import io.shoal.cli.commands.NetworkCommand;
import io.shoal.cli.commands.NodeCommand;
import io.shoal.cli.commands.SecretCommand;
import io.shoal.cli.commands.ServiceCommand;
import io.shoal.cli.commands.StackCommand;
import io.shoal.cli.commands.VersionCommand;
import io.shoal.cli.daemon.DaemonCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine;

/** The root command. */
@Command(name = "shoal", mixinStandardHelpOptions = true, versionProvider = ShoalCommand.Version.class,
        description = "Shoal: container orchestration in the spirit of swarm mode.",
        subcommands = {DaemonCommand.class, InitCommand.class, JoinCommand.class, JoinTokenCommand.class,
                LeaveCommand.class, InfoCommand.class, NodeCommand.class,
                ServiceCommand.class, NetworkCommand.class, StackCommand.class,
                ImageCommand.class, CaCommand.class, SecretCommand.class, ConfigCommand.class,
                VersionCommand.class, EventsCommand.class})
public final class ShoalCommand implements Runnable {
    private static volatile String host = "unix:///run/shoal/shoal.sock";

    @Option(names = {"-H", "--host"}, scope = ScopeType.INHERIT,
            description = "Daemon to talk to: unix:///path or tcp://IP:PORT (env SHOAL_HOST; default ${DEFAULT-VALUE}).",
            defaultValue = "${env:SHOAL_HOST:-unix:///run/shoal/shoal.sock}")
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
