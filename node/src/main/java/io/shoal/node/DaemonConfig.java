package io.shoal.node;

import io.shoal.logging.LogFormat;
import io.shoal.logging.LogLevel;
import io.shoal.worker.exec.runc.RuncExecutor;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What an operator chose for {@code shoal daemon}: the flags, before anything is built from them.
 * {@link #validate()} refuses a bad value with one line naming the flag, before the daemon starts.
 *
 * @param dataDir            where the node keeps its identity, role and state
 * @param socket             the local unix socket for the CLI
 * @param runtime            the OCI runtime: runc or crun ({@link #defaultRuntime()} when the operator names none)
 * @param listenAddr         the default cluster listen address (IP:PORT) for init and join
 * @param insecureRegistries registries (HOST:PORT) that may be pulled from over plain http
 * @param registryConfig     a docker-style config.json with registry credentials
 * @param metricsAddr        where Prometheus metrics are served (IP:PORT), or null for nowhere
 * @param snapshotInterval   Raft entries between store snapshots
 * @param electionTimeout    a manager that hears no leader for between this and twice this starts an election
 * @param logLevel           the level of the daemon's log
 * @param logFormat          text or JSON lines
 * @param dockerApi          where the Docker Engine API is served (unix:///PATH or tcp://IP:PORT; none when empty)
 */
public record DaemonConfig(Path dataDir, Path socket, String runtime, String listenAddr, List<String> insecureRegistries,
                           Path registryConfig, String metricsAddr, long snapshotInterval, Duration electionTimeout,
                           LogLevel logLevel, LogFormat logFormat, List<String> dockerApi) {
    public static final Duration MIN_ELECTION_TIMEOUT = Duration.ofMillis(100);
    public static final Duration MAX_ELECTION_TIMEOUT = Duration.ofMinutes(1);

    public DaemonConfig {
        insecureRegistries = List.copyOf(insecureRegistries);
        dockerApi = List.copyOf(dockerApi);
    }

    /** Without the Docker Engine API, logging at info as text. */
    public DaemonConfig(Path dataDir, Path socket, String runtime, String listenAddr, List<String> insecureRegistries,
                        Path registryConfig, String metricsAddr, long snapshotInterval, Duration electionTimeout) {
        this(dataDir, socket, runtime, listenAddr, insecureRegistries, registryConfig, metricsAddr, snapshotInterval,
                electionTimeout, LogLevel.INFO, LogFormat.TEXT, List.of());
    }

    /**
     * The runtime of a daemon started without {@code --runtime}: crun when it is installed, else runc.
     * Docker's default is runc; Shoal prefers crun because a container start is the worker's main cost
     * and crun's is a third cheaper here (one C program per create and start against runc's three Go
     * runtimes; {@code docs/worker-runtime.md}).
     */
    public static String defaultRuntime() {
        return RuncExecutor.installed("crun") ? "crun" : "runc";
    }

    /** Throws {@link IllegalArgumentException} naming the first flag whose value cannot be used. */
    public void validate() {
        if (!runtime.equals("runc") && !runtime.equals("crun")) {
            throw new IllegalArgumentException("--runtime: '" + runtime + "' is not supported; use runc or crun");
        }
        Addresses.parse(listenAddr, "--listen-addr", Addresses.DEFAULT_PORT);
        if (snapshotInterval < 1) {
            throw new IllegalArgumentException("--snapshot-interval: must be at least 1");
        }
        if (metricsAddr != null) {
            MetricsServer.parse(metricsAddr);
        }
        dockerApi.forEach(DockerApi::validate);
        if (electionTimeout.compareTo(MIN_ELECTION_TIMEOUT) < 0 || electionTimeout.compareTo(MAX_ELECTION_TIMEOUT) > 0) {
            throw new IllegalArgumentException("--election-timeout: " + text(electionTimeout) + " is out of range; use 100ms to 1m");
        }
    }

    private static String text(Duration d) {
        long ms = d.toMillis();
        return ms % 60_000 == 0 ? ms / 60_000 + "m" : ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }
}
