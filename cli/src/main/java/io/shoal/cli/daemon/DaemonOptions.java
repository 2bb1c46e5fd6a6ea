package io.shoal.cli.daemon;

import java.nio.file.Path;
import java.util.List;

/**
 * How {@code shoal daemon} was started.
 *
 * @param listenAddr        default cluster listen address (IP:PORT) for init/join
 * @param snapshotThreshold Raft entries between snapshots
 * @param electionTimeout   a manager that hears no leader for between this and twice this starts an election
 */
record DaemonOptions(Path dataDir, Path socket, String runtime, String listenAddr, List<String> insecureRegistries,
                     long snapshotThreshold, io.shoal.worker.exec.Executor executor,
                     java.util.function.Function<String, Path> taskLogs, List<io.grpc.ServerServiceDefinition> localServices,
                     io.shoal.worker.net.OverlayPlane overlay, io.micrometer.core.instrument.MeterRegistry metrics,
                     java.time.Duration electionTimeout) {
    /** Without an overlay data plane (in-process tests with a fake executor); meters go to a registry of their own. */
    DaemonOptions(Path dataDir, Path socket, String runtime, String listenAddr, List<String> insecureRegistries,
                  long snapshotThreshold, io.shoal.worker.exec.Executor executor,
                  java.util.function.Function<String, Path> taskLogs, List<io.grpc.ServerServiceDefinition> localServices) {
        this(dataDir, socket, runtime, listenAddr, insecureRegistries, snapshotThreshold, executor, taskLogs, localServices, null,
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry(),
                io.shoal.manager.raft.RaftSettings.DEFAULT_ELECTION_TIMEOUT);
    }
}
