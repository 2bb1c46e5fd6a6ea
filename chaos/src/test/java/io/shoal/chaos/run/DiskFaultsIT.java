package io.shoal.chaos.run;

import io.shoal.chaos.history.History;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Storage faults of managers under recorded clients, each manager's data dir on a small ext4
 * filesystem of its own ({@link ChaosLab#DATA_SIZE}): a full disk (leader and follower) and a torn
 * last Raft log entry (follower and leader). The history must check (registers linearizable, no
 * acknowledged create lost, nothing present that nobody created), the managers must converge, and
 * a manager whose disk was full must have failed its log, started its member again once space
 * returned, and start again later from the log it wrote. {@code -Dshoal.chaos.long=true} repeats
 * each fault five times.
 *
 * <pre>
 * JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 mvn -B -pl chaos -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=DiskFaultsIT
 * </pre>
 */
class DiskFaultsIT {
    private static final String LAB = "shoal-chaos-disk";
    private static final String SUBNET = "10.217.57";
    private static final int ROUNDS = Boolean.getBoolean("shoal.chaos.long") ? 5 : 1;

    @Test
    void aFullDiskFailsWritesCleanlyAndTheManagerCatchesUpOnceSpaceReturns() {
        Assumptions.assumeTrue(ChaosLab.available(), "needs root, ip netns and nft");
        try (ChaosLab lab = new ChaosLab(LAB, 3, 0)) {
            lab.up(SUBNET, "", ChaosLab.DATA_SIZE);
            ChaosRun.Report report = ChaosRun.run(lab, SUBNET, rounds("disk-full-leader", "disk-full-follower"));
            System.out.printf("disk faults (full): %s", report);
            assertTrue(report.ok(), report.toString());

            List<String> failed = new ArrayList<>();
            for (String h : lab.managerHosts()) {
                // a leader also logs its followers' failed appends: only a member's own failure counts
                String log = lab.fullLog(h);
                if (log.contains("the Raft log of")) {
                    failed.add(h);
                    assertTrue(log.contains("No space left on device") && log.contains("started again from its storage"),
                            h + " had its log fail but not for space, or its member was not started again:\n" + lab.log(h));
                }
            }
            assertFalse(failed.isEmpty(), "no manager's Raft log failed: the fault did not bite");

            // the log each filled manager wrote around the failure is intact: it starts from it again
            try (Managers managers = new Managers(lab, SUBNET)) {
                Convergence.State before = Convergence.await(managers, lab.managerHosts(), Duration.ofSeconds(90));
                for (String h : failed) {
                    lab.kill(h);
                    lab.start(h);
                }
                Nemesis nemesis = new Nemesis(lab, managers, new Partitions(lab, SUBNET), new History(), 0);
                nemesis.awaitWhole();
                Convergence.State after = Convergence.await(managers, lab.managerHosts(), Duration.ofSeconds(90));
                assertEquals(before, after, "the managers serve another state after the filled ones restarted");
                for (String h : failed) {
                    assertFalse(lab.fullLog(h).contains("is corrupt"), h + " found its Raft storage corrupt:\n" + lab.log(h));
                }
            }
        }
    }

    @Test
    void aTornLastLogEntryIsDroppedAndTheManagerCatchesUp() {
        Assumptions.assumeTrue(ChaosLab.available(), "needs root, ip netns and nft");
        try (ChaosLab lab = new ChaosLab(LAB, 3, 0)) {
            lab.up(SUBNET, "", ChaosLab.DATA_SIZE);
            ChaosRun.Report report = ChaosRun.run(lab, SUBNET, rounds("torn-follower", "torn-leader"));
            System.out.printf("disk faults (torn): %s", report);
            assertTrue(report.ok(), report.toString());
            assertEquals(2L * ROUNDS, report.faultsByKind().values().stream().mapToLong(Long::longValue).sum(), report.toString());
            for (String h : lab.managerHosts()) {
                assertFalse(lab.fullLog(h).contains("is corrupt"), h + " refused its torn log as corrupt:\n" + lab.log(h));
            }
        }
    }

    private static List<String> rounds(String... kinds) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < ROUNDS; i++) {
            Collections.addAll(out, kinds);
        }
        return out;
    }
}
