package io.shoal.chaos.run;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Chaos runs on three real managers: clients through every manager while the nemesis injects faults,
 * then the history is checked (registers linearizable, no acknowledged create lost, nothing present
 * that nobody created) and the managers must converge. The short run is CI's; the long run
 * ({@code -Dshoal.chaos.long=true}: 100 leader kills and 20 partitions) prints the figures for
 * docs/benchmarks.md.
 *
 * <pre>
 * JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 mvn -B -pl chaos -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dit.test=ChaosIT -Dshoal.chaos.long=true
 * </pre>
 */
class ChaosIT {
    static final List<String> PARTITIONS = List.of("isolate-leader", "minority", "bridge", "asymmetric");

    @Test
    void shortRunKillsPausesAndPartitions() {
        List<String> schedule = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            schedule.addAll(List.of("kill-leader", "pause-follower", "isolate-leader", "kill-follower", "pause-leader",
                    "minority", "bridge", "asymmetric", "kill-follower+pause-leader", "rejoin-then-pause-follower"));
        }
        // storage faults among the others: a manager filled while leading, one torn while following
        schedule.add(4, "disk-full-leader");
        schedule.add(14, "torn-follower");
        run("shoal-chaos-short", "10.217.1", schedule);
    }

    @Test
    @EnabledIfSystemProperty(named = "shoal.chaos.long", matches = "true")
    void longRunHundredLeaderKillsAndTwentyPartitions() {
        List<String> schedule = new ArrayList<>(Collections.nCopies(100, "kill-leader"));
        for (int i = 0; i < 20; i++) {
            schedule.add(PARTITIONS.get(i % PARTITIONS.size()));
        }
        Collections.shuffle(schedule, new Random(15));
        run("shoal-chaos-long", "10.217.2", schedule);
    }

    private static void run(String name, String subnet, List<String> schedule) {
        Assumptions.assumeTrue(ChaosLab.available(), "needs root, ip netns and nft");
        try (ChaosLab lab = new ChaosLab(name, 3, 0)) {
            lab.up(subnet, "", ChaosLab.DATA_SIZE);
            long t0 = System.nanoTime();
            ChaosRun.Report report = ChaosRun.run(lab, subnet, schedule);
            System.out.printf("chaos run %s: %d faults in %d s%n%s", name, schedule.size(), (System.nanoTime() - t0) / 1_000_000_000L, report);
            assertTrue(report.ok(), report.toString());
            assertTrue(report.writesAcked() > schedule.size(), "too few acknowledged writes to mean anything: " + report);
        }
    }
}
