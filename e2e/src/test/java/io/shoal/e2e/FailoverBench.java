package io.shoal.e2e;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.shoal.api.ControlGrpc;
import io.shoal.api.UpdateNodeRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Benchmark, not a test: prints figures. Leader failover time = kill -9 of the leader's daemon ->
 * first write accepted through another manager (measured in-process over the surviving manager's
 * unix socket, so no CLI start-up time is counted), over N runs; plus the RSS of idle daemons.
 *
 * <pre>
 * JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 mvn -B -pl e2e -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dshoal.bench=true \
 *     -Dit.test=FailoverBench
 * </pre>
 */
@EnabledIfSystemProperty(named = "shoal.bench", matches = "true")
class FailoverBench {
    private static final int RUNS = Integer.getInteger("shoal.bench.runs", 10);

    @Test
    void leaderFailover() throws Exception {
        try (Lab lab = new Lab("shoal-bench-failover")) {
            lab.close();
            Lab.Result up = lab.up(3, 1, "10.213.9");
            assertEquals(0, up.code(), up.all());
            lab.awaitCli("h1", Duration.ofSeconds(30), r -> r.code() == 0 && r.out().contains("Reachable"), "node", "ls");
            Thread.sleep(2000); // let the cluster idle before measuring memory
            System.out.printf("RSS idle manager (h1): %d MiB, idle worker (h4): %d MiB%n",
                    rssMiB(lab, "h1"), rssMiB(lab, "h4"));
            List<Long> samples = new ArrayList<>();
            for (int run = 0; run < RUNS; run++) {
                String leader = leader(lab);
                String survivor = leader.equals("h1") ? "h2" : "h1";
                ManagedChannel ch = unix(lab.hostDir(survivor).resolve("shoal.sock"));
                try {
                    var stub = ControlGrpc.newBlockingStub(ch);
                    ProcessHandle daemon = ProcessHandle.of(lab.daemonPid(leader)).orElseThrow();
                    long t0 = System.nanoTime();
                    daemon.destroyForcibly(); // kill -9, timed from here

                    int attempt = 0;
                    while (true) {
                        try {
                            stub.withDeadlineAfter(2, TimeUnit.SECONDS).updateNode(UpdateNodeRequest.newBuilder()
                                    .setNode("h4").putLabelAdd("bench", run + "-" + attempt++).build());
                            break;
                        } catch (StatusRuntimeException e) {
                            if (System.nanoTime() - t0 > TimeUnit.SECONDS.toNanos(60)) {
                                throw e;
                            }
                        }
                    }
                    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                    samples.add(ms);
                    System.out.printf("run %d: killed %s, first write through %s after %d ms%n", run + 1, leader, survivor, ms);
                } finally {
                    ch.shutdownNow();
                }
                assertEquals(0, lab.host("kill", leader).code()); // reaps it and clears the pid file
                assertEquals(0, lab.host("start", leader).code());
                lab.awaitCli(survivor, Duration.ofSeconds(60), r -> r.code() == 0 && countOf(r.out(), "Reachable") == 2, "node", "ls");
            }
            List<Long> sorted = new ArrayList<>(samples);
            Collections.sort(sorted);
            System.out.printf("leader failover over %d runs: median %d ms, max %d ms, min %d ms%n",
                    sorted.size(), sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1), sorted.get(0));
        }
    }

    private static int countOf(String s, String word) {
        int n = 0;
        for (int i = s.indexOf(word); i >= 0; i = s.indexOf(word, i + 1)) {
            n++;
        }
        return n;
    }

    private static String leader(Lab lab) {
        Lab.Result r = lab.awaitCli("h1", Duration.ofSeconds(30), x -> x.code() == 0 && x.out().contains("Leader"), "node", "ls");
        for (String line : r.out().lines().toList()) {
            if (line.contains("Leader")) {
                for (String h : List.of("h1", "h2", "h3")) {
                    if (line.matches(".*\\s" + h + "\\s.*")) {
                        return h;
                    }
                }
            }
        }
        throw new AssertionError("no leader: " + r.out());
    }

    static ManagedChannel unix(Path socket) {
        return NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .channelType(EpollDomainSocketChannel.class)
                .eventLoopGroup(new EpollEventLoopGroup(1))
                .usePlaintext().build();
    }

    /** Resident memory of the daemon's JVM in the host's namespace. */
    static long rssMiB(Lab lab, String host) throws IOException {
        String ns = lab.host("ns", host).out().trim();
        Lab.Result pids = Lab.run(List.of("ip", "netns", "pids", ns), Duration.ofSeconds(10));
        long best = 0;
        for (String p : pids.out().split("\\s+")) {
            if (p.isBlank()) {
                continue;
            }
            Path cmd = Path.of("/proc", p, "cmdline");
            Path status = Path.of("/proc", p, "status");
            if (!Files.exists(cmd) || !Files.readString(cmd).contains("io.shoal.cli.Main")) {
                continue;
            }
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmRSS:")) {
                    best = Math.max(best, Long.parseLong(line.replaceAll("\\D", "")) / 1024);
                }
            }
        }
        return best;
    }
}
