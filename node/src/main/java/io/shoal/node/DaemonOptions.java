package io.shoal.node;

import io.grpc.ServerServiceDefinition;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.shoal.manager.raft.RaftSettings;
import io.shoal.worker.exec.Executor;
import io.shoal.worker.net.OverlayPlane;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

/**
 * How {@code shoal daemon} was started.
 *
 * @param listenAddr        default cluster listen address (IP:PORT) for init/join
 * @param snapshotThreshold Raft entries between snapshots
 * @param electionTimeout   a manager that hears no leader for between this and twice this starts an election
 */
record DaemonOptions(Path dataDir, Path socket, String runtime, String listenAddr, List<String> insecureRegistries,
                     long snapshotThreshold, Executor executor,
                     Function<String, Path> taskLogs, List<ServerServiceDefinition> localServices,
                     OverlayPlane overlay, MeterRegistry metrics,
                     Duration electionTimeout) {
    /** Without an overlay data plane (in-process tests with a fake executor); meters go to a registry of their own. */
    DaemonOptions(Path dataDir, Path socket, String runtime, String listenAddr, List<String> insecureRegistries,
                  long snapshotThreshold, Executor executor,
                  Function<String, Path> taskLogs, List<ServerServiceDefinition> localServices) {
        this(dataDir, socket, runtime, listenAddr, insecureRegistries, snapshotThreshold, executor, taskLogs, localServices, null,
                new SimpleMeterRegistry(),
                RaftSettings.DEFAULT_ELECTION_TIMEOUT);
    }
}
