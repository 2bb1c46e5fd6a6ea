package io.shoal.node;

import io.shoal.logging.Logging;
import io.shoal.worker.exec.runc.Phases;
import io.shoal.worker.exec.runc.RuncExecutor;
import io.shoal.worker.image.ImageStore;
import io.shoal.worker.image.OverlayRootfs;
import io.shoal.worker.net.OverlayPlane;

import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The process {@code shoal daemon} runs: the node's real parts (image store, runc/crun executor,
 * overlay data plane, metrics) composed around a {@link NodeDaemon}, in the foreground until the
 * process is stopped.
 */
public final class Daemon {
    private Daemon() {}

    /** Validates {@code config}, starts the node and blocks until the daemon's socket server ends. */
    public static void run(DaemonConfig config) throws Exception {
        config.validate();
        Logging.configure(config.logLevel(), config.logFormat());
        HeapGuard heap = HeapGuard.start();
        MetricsServer metrics = new MetricsServer();
        if (config.metricsAddr() != null) {
            metrics.serve(config.metricsAddr());
        }
        ImageStore images = new ImageStore(config.dataDir().resolve("images"), Set.copyOf(config.insecureRegistries()),
                config.registryConfig());
        OverlayRootfs rootfs = new OverlayRootfs(images);
        Phases phases = WorkerMetrics.phases(metrics.registry());
        WorkerMetrics.bindPulls(metrics.registry(), rootfs, phases);
        RuncExecutor executor = new RuncExecutor(config.dataDir().resolve("containers"), config.runtime(), rootfs);
        executor.onPhase(phases);
        OverlayPlane overlay = new OverlayPlane(config.dataDir().resolve("net"));
        executor.setNetworkAttacher(overlay);
        WorkerMetrics.bindRelay(metrics.registry(), overlay);
        overlay.existingNetns(executor::existingNetns);
        DaemonOptions options = new DaemonOptions(config.dataDir(), config.socket(), config.runtime(), config.listenAddr(),
                config.insecureRegistries(), config.snapshotInterval(), executor, executor::log,
                List.of(new LocalImagesService(images, executor).bindService()), overlay, metrics.registry(),
                config.electionTimeout());
        NodeDaemon daemon = new NodeDaemon(options);
        AtomicReference<DockerApi> dockerApi = new AtomicReference<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            DockerApi api = dockerApi.get();
            if (api != null) {
                api.close();
            }
            daemon.close();
            executor.close();
            metrics.close();
            if (heap != null) {
                heap.close();
            }
        }, "shutdown"));
        daemon.start();
        if (!config.dockerApi().isEmpty()) {
            dockerApi.set(DockerApi.start(config.dockerApi(), config.socket(), daemon::tls));
        }
        daemon.awaitTermination();
    }
}
