package io.shoal.cli.daemon;

import io.shoal.cli.output.Units;
import io.shoal.logging.LogFormat;
import io.shoal.logging.LogLevel;
import io.shoal.node.Daemon;
import io.shoal.node.DaemonConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code shoal daemon}: runs this node in the foreground (what systemd runs); the node module does the work. */
@Command(name = "daemon", mixinStandardHelpOptions = true,
        description = {"Run the Shoal node daemon in the foreground.",
                "A daemon in no cluster idles until 'shoal init' or 'shoal join'; on restart it resumes its identity,",
                "role and state from --data-dir. The Raft port of a manager is the cluster port + 1."})
public final class DaemonCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--data-dir", description = "Where the node keeps its state (default: ${DEFAULT-VALUE}).",
            defaultValue = "/var/lib/shoal")
    Path dataDir;

    @Option(names = "--socket", description = "Unix socket for the CLI (default: ${DEFAULT-VALUE}).",
            defaultValue = "/run/shoal/shoal.sock")
    Path socket;

    @Option(names = "--runtime", description = "Container runtime: runc or crun (default: crun when it is installed, "
            + "else runc).")
    String runtime;

    @Option(names = "--listen-addr", description = "Cluster listen address IP:PORT (default: ${DEFAULT-VALUE}).",
            defaultValue = "0.0.0.0:4242")
    String listenAddr;

    @Option(names = "--insecure-registry", description = "Allow plain http for this registry HOST:PORT (repeatable).")
    List<String> insecureRegistries = new ArrayList<>();

    @Option(names = "--registry-config", description = "A docker-style config.json with registry credentials "
            + "(\"auths\"), read on every pull; credentials a service carries (--with-registry-auth) win. "
            + "Default: ${DEFAULT-VALUE}.")
    Path registryConfig = Path.of(System.getProperty("user.home", "/root"), ".docker", "config.json");

    @Option(names = "--metrics-addr", description = "Serve Prometheus metrics on http://IP:PORT/metrics "
            + "(the JVM's and, on a manager, the store's, the dispatcher's and the control loops'). Off by default; "
            + "plain http without authentication, like Docker's metrics-addr.")
    String metricsAddr;

    @Option(names = "--snapshot-interval", description = "Raft entries between store snapshots (default: ${DEFAULT-VALUE}).",
            defaultValue = "10000")
    long snapshotInterval;

    @Option(names = "--election-timeout", paramLabel = "DURATION", defaultValue = "300ms",
            description = "A manager that hears from no leader for between this and twice this starts an election "
                    + "(default: ${DEFAULT-VALUE}, 100ms to 1m). Shorter fails over sooner; longer rides out the GC "
                    + "pauses of a loaded manager of a large fleet. Give every manager the same value.")
    String electionTimeout;

    @Option(names = "--docker-api", paramLabel = "unix:///PATH|tcp://IP:PORT",
            description = "Serve the Docker Engine API there (repeatable), so docker's CLI and SDKs drive the cluster "
                    + "(DOCKER_HOST); tcp is mutual TLS with a manager's or operator's certificate of the cluster.")
    List<String> dockerApi = new ArrayList<>();

    @Option(names = "--log-level", paramLabel = "LEVEL", defaultValue = "info",
            description = "debug, info, warn, error or fatal (default: ${DEFAULT-VALUE}).")
    String logLevel;

    @Option(names = "--log-format", paramLabel = "FORMAT", defaultValue = "text",
            description = "text, or json for one JSON object a line (default: ${DEFAULT-VALUE}).")
    String logFormat;

    @Option(names = "--config-file", paramLabel = "FILE",
            description = "Daemon settings as JSON, one key per flag without its dashes (e.g. \"log-level\": \"debug\"); "
                    + "flags given here win. Default: /etc/shoal/daemon.json when it exists.")
    Path configFile;

    static final Path DEFAULT_CONFIG_FILE = Path.of("/etc/shoal/daemon.json");

    @Override
    public Integer call() throws Exception {
        DaemonConfig config;
        try {
            applyConfigFile();
            config = new DaemonConfig(dataDir, socket, runtime != null ? runtime : DaemonConfig.defaultRuntime(), listenAddr, insecureRegistries, registryConfig, metricsAddr,
                    snapshotInterval, duration("--election-timeout", electionTimeout),
                    level("--log-level", logLevel), format("--log-format", logFormat), dockerApi);
            config.validate();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        Daemon.run(config);
        return 0;
    }

    /**
     * Takes from the config file every setting the command line did not give: the file's flags are
     * parsed into a command of their own (so picocli checks them as it checks flags), then copied.
     */
    void applyConfigFile() {
        Path file = configFile != null ? configFile : DEFAULT_CONFIG_FILE;
        List<String> args = DaemonConfigFile.arguments(file, spec, configFile != null);
        if (args.isEmpty()) {
            return;
        }
        CommandLine fromFile = new CommandLine(new DaemonCommand());
        try {
            fromFile.parseArgs(args.toArray(String[]::new));
        } catch (ParameterException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage());
        }
        ParseResult given = spec.commandLine().getParseResult();
        for (OptionSpec o : fromFile.getParseResult().matchedOptions()) {
            if (!given.hasMatchedOption(o.longestName())) {
                spec.findOption(o.longestName()).setValue(o.getValue());
            }
        }
    }

    private static LogLevel level(String flag, String value) {
        try {
            return LogLevel.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(flag + ": " + e.getMessage());
        }
    }

    private static LogFormat format(String flag, String value) {
        try {
            return LogFormat.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(flag + ": " + e.getMessage());
        }
    }

    private static Duration duration(String flag, String value) {
        try {
            return Units.duration(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(flag + ": " + e.getMessage());
        }
    }
}
