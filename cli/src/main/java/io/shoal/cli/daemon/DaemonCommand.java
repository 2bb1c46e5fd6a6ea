package io.shoal.cli.daemon;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code shoal daemon}: runs this node in the foreground (what systemd runs). */
@Command(name = "daemon", mixinStandardHelpOptions = true,
        description = {"Run the Shoal node daemon in the foreground.",
                "A daemon in no cluster idles until 'shoal init' or 'shoal join'; on restart it resumes its identity,",
                "role and state from --data-dir. The Raft port of a manager is the cluster port + 1."})
public final class DaemonCommand implements Callable<Integer> {
    @Option(names = "--data-dir", description = "Where the node keeps its state (default: ${DEFAULT-VALUE}).",
            defaultValue = "/var/lib/shoal")
    Path dataDir;

    @Option(names = "--socket", description = "Unix socket for the CLI (default: ${DEFAULT-VALUE}).",
            defaultValue = "/run/shoal/shoal.sock")
    Path socket;

    @Option(names = "--runtime", description = "Container runtime: runc or crun (default: ${DEFAULT-VALUE}).",
            defaultValue = "runc")
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

    @Override
    public Integer call() throws Exception {
        java.time.Duration election = electionTimeout(electionTimeout);
        if (!runtime.equals("runc") && !runtime.equals("crun")) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--runtime: '" + runtime + "' is not supported; use runc or crun");
        }
        Addresses.parse(listenAddr, "--listen-addr", Addresses.DEFAULT_PORT);
        if (snapshotInterval < 1) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--snapshot-interval: must be at least 1");
        }
        if (metricsAddr != null) {
            try {
                MetricsServer.parse(metricsAddr);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), e.getMessage());
            }
        }
        MetricsServer metrics = new MetricsServer();
        if (metricsAddr != null) {
            metrics.serve(metricsAddr);
        }
        var images = new io.shoal.worker.image.ImageStore(dataDir.resolve("images"), java.util.Set.copyOf(insecureRegistries),
                registryConfig);
        var executor = new io.shoal.worker.exec.runc.RuncExecutor(dataDir.resolve("containers"), runtime,
                new io.shoal.worker.image.OverlayRootfs(images));
        var overlay = new io.shoal.worker.net.OverlayPlane(dataDir.resolve("net"));
        executor.setNetworkAttacher(overlay);
        overlay.existingNetns(executor::existingNetns);
        DaemonOptions options = new DaemonOptions(dataDir, socket, runtime, listenAddr, List.copyOf(insecureRegistries),
                snapshotInterval, executor, executor::log, List.of(new LocalImagesService(images, executor).bindService()), overlay,
                metrics.registry(), election);
        NodeDaemon daemon = new NodeDaemon(options);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            daemon.close();
            metrics.close();
        }, "shutdown"));
        daemon.start();
        daemon.awaitTermination();
        return 0;
    }

    /** {@code --election-timeout}, in range, or a one-line usage error naming the flag. */
    private java.time.Duration electionTimeout(String v) {
        java.time.Duration d;
        try {
            d = io.shoal.cli.output.Units.duration(v);
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "--election-timeout: " + e.getMessage());
        }
        if (d.compareTo(java.time.Duration.ofMillis(100)) < 0 || d.compareTo(java.time.Duration.ofMinutes(1)) > 0) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--election-timeout: " + v + " is out of range; use 100ms to 1m");
        }
        return d;
    }
}
