package io.shoal.cli.commands;

import com.google.protobuf.ByteString;
import io.shoal.api.Annotations;
import io.shoal.api.Config;
import io.shoal.api.ConfigSpec;
import io.shoal.api.CreateConfigRequest;
import io.shoal.api.GetConfigRequest;
import io.shoal.api.ListConfigsRequest;
import io.shoal.api.RemoveConfigRequest;
import io.shoal.cli.output.Json;
import io.shoal.cli.output.Table;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** Configs, as {@code docker config}: files stored by the managers and placed in the containers of services that name them. */
@Command(name = "config", mixinStandardHelpOptions = true, description = "Manage configs.",
        subcommands = {ConfigCommand.Create.class, ConfigCommand.Ls.class, ConfigCommand.Inspect.class, ConfigCommand.Rm.class})
public final class ConfigCommand implements Runnable {
    /** swarm mode's limit (the managers check it too) */
    static final int MAX_SIZE = 1000 * 1024;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: create, ls, inspect or rm");
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create a config from a file, or from standard input with '-' (at most 1000 KiB).")
    static final class Create extends ClientCommand {
        @Option(names = {"-l", "--label"}, description = "Config label K=V (repeatable).") List<String> labels = new ArrayList<>();
        @Parameters(index = "0", paramLabel = "NAME") String name;
        @Parameters(index = "1", paramLabel = "FILE|-") String file;

        @Override
        protected int execute() throws Exception {
            Annotations.Builder a = Annotations.newBuilder().setName(name).putAllLabels(FileObjectsOutput.labels(labels, spec.commandLine()));
            byte[] data = FileArgument.read("config", file, System.in, MAX_SIZE);
            Config c = control().createConfig(CreateConfigRequest.newBuilder()
                    .setSpec(ConfigSpec.newBuilder().setAnnotations(a).setData(ByteString.copyFrom(data))).build());
            out().println(c.getId());
            return 0;
        }
    }

    @Command(name = "ls", aliases = "list", mixinStandardHelpOptions = true, description = "List configs.")
    static final class Ls extends ClientCommand {
        @Mixin FormatOptions fmt;

        @Override
        protected int execute() {
            boolean json = fmt.json(spec.commandLine());
            List<Config> configs = new ArrayList<>(control().listConfigs(ListConfigsRequest.getDefaultInstance()).getConfigsList());
            configs.sort(Comparator.comparing(c -> c.getSpec().getAnnotations().getName()));
            if (fmt.quiet) {
                configs.forEach(c -> out().println(c.getId()));
                return 0;
            }
            List<Map<String, Object>> rows = new ArrayList<>();
            Table t = new Table("ID", "NAME", "CREATED", "UPDATED");
            for (Config c : configs) {
                rows.add(FileObjectsOutput.row(c.getId(), c.getSpec().getAnnotations(), c.getMeta(), false));
                t.row(c.getId(), c.getSpec().getAnnotations().getName(), FileObjectsOutput.ago(c.getMeta().getCreatedMs()),
                        FileObjectsOutput.ago(c.getMeta().getUpdatedMs()));
            }
            if (json) {
                Json.print(out(), rows);
            } else {
                t.print(out());
            }
            return 0;
        }
    }

    @Command(name = "inspect", mixinStandardHelpOptions = true, description = "Show configs in detail (JSON, with their data in base64).")
    static final class Inspect extends ClientCommand {
        @Parameters(arity = "1..*", paramLabel = "CONFIG") List<String> refs;

        @Override
        protected int execute() {
            List<Object> out = new ArrayList<>();
            for (String ref : refs) {
                Config c = control().getConfig(GetConfigRequest.newBuilder().setConfig(ref).build());
                out.add(FileObjectsOutput.inspect(c.getId(), c.getSpec().getAnnotations(), c.getMeta(), c.getSpec().getData()));
            }
            Json.print(out(), out);
            return 0;
        }
    }

    @Command(name = "rm", aliases = "remove", mixinStandardHelpOptions = true, description = "Remove configs no service uses.")
    static final class Rm extends ClientCommand {
        @Parameters(arity = "1..*", paramLabel = "CONFIG") List<String> refs;

        @Override
        protected int execute() {
            for (String ref : refs) {
                control().removeConfig(RemoveConfigRequest.newBuilder().setConfig(ref).build());
                out().println(ref);
            }
            return 0;
        }
    }
}
