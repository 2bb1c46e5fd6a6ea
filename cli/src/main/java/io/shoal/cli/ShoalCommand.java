package io.shoal.cli;

import io.shoal.cli.commands.CaCommand;
import io.shoal.cli.commands.ClusterCommand;
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
import io.shoal.cli.commands.UnlockCommand;
import io.shoal.cli.commands.UnlockKeyCommand;
import io.shoal.cli.commands.VersionCommand;
import io.shoal.cli.daemon.DaemonCommand;
import picocli.CommandLine.Command;


/**
 * The whole command tree: {@link RootCommand} with every command under it, as picocli's tools read it
 * (completion and man pages, deploy/release.sh), as the command model file is written from at build
 * time ({@code io.shoal.cli.model.ModelGenerator}), and as {@link Main} runs help and usage errors. To
 * run one command {@link Main} builds a root with only that command's subtree: building picocli's
 * model of every command was a third of a client's start.
 */
@Command(name = "shoal",
        subcommands = {DaemonCommand.class, InitCommand.class, JoinCommand.class, JoinTokenCommand.class,
                LeaveCommand.class, InfoCommand.class, NodeCommand.class,
                ServiceCommand.class, NetworkCommand.class, StackCommand.class,
                ImageCommand.class, CaCommand.class, ClusterCommand.class, SecretCommand.class, ConfigCommand.class,
                VersionCommand.class, EventsCommand.class, UnlockCommand.class, UnlockKeyCommand.class})
public final class ShoalCommand extends RootCommand {
}
