package io.shoal.chaos.run;

import io.shoal.chaos.history.Fault;
import io.shoal.chaos.history.History;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Injects one fault at a time into the managers of a lab, heals it, records both on the history's
 * clock, and waits for the cluster to be whole again before the next. Kinds: {@code kill-leader} and
 * {@code kill-follower} (kill -9, then started again), {@code pause-leader} and {@code pause-follower}
 * (SIGSTOP, then SIGCONT), {@code isolate-leader}, {@code minority} (one follower cut from the others),
 * {@code bridge} (two managers cut from each other, the third hearing both), {@code asymmetric} (the
 * leader stops hearing the followers, who still hear it), {@code kill-follower+pause-leader},
 * {@code rejoin-then-pause-follower} (a follower killed and started again, and the other follower
 * paused the moment the first is back, so that the leader's majority is the member that has just
 * rejoined), and the
 * storage faults of {@link DiskFaults} (which need a lab made with {@link ChaosLab#DATA_SIZE}):
 * {@code disk-full-leader} and {@code disk-full-follower} (the data filesystem filled, ballast written,
 * then the filler removed), {@code torn-leader} and {@code torn-follower} (kill -9, the last log entry
 * cut in the middle, started again).
 */
final class Nemesis {
    static final List<String> KINDS = List.of("kill-leader", "kill-follower", "pause-leader", "pause-follower",
            "isolate-leader", "minority", "bridge", "asymmetric", "kill-follower+pause-leader",
            "rejoin-then-pause-follower", "disk-full-leader", "disk-full-follower", "torn-leader", "torn-follower");
    private static final Duration WHOLE_AGAIN = Duration.ofSeconds(120);

    private final ChaosLab lab;
    private final Managers managers;
    private final Partitions partitions;
    private final History history;
    private final Random random;
    private final Set<String> killed = new HashSet<>();
    private final Set<String> paused = new HashSet<>();
    private final Set<String> filled = new HashSet<>();
    private final DiskFaults disks;

    Nemesis(ChaosLab lab, Managers managers, Partitions partitions, History history, long seed) {
        this.lab = lab;
        this.managers = managers;
        this.partitions = partitions;
        this.history = history;
        this.random = new Random(seed);
        this.disks = new DiskFaults(lab, managers, new Random(seed + 1));
    }

    /** Waits until the managers are whole ({@link #awaitWhole}), then injects KIND, holds it, and heals it. */
    void inject(String kind) {
        awaitWhole();
        String leader = leader();
        List<String> followers = new ArrayList<>(lab.managerHosts());
        followers.remove(leader);
        String follower = followers.get(random.nextInt(followers.size()));
        String other = followers.stream().filter(h -> !h.equals(follower)).findFirst().orElseThrow();
        long start;
        String targets;
        switch (kind) {
            case "kill-leader", "kill-follower" -> {
                targets = kind.equals("kill-leader") ? leader : follower;
                start = history.now();
                kill(targets);
            }
            case "pause-leader", "pause-follower" -> {
                targets = kind.equals("pause-leader") ? leader : follower;
                start = history.now();
                pause(targets);
            }
            case "isolate-leader" -> {
                targets = leader + "|" + String.join(",", followers);
                partitions.split(List.of(leader), followers);
                start = partition();
            }
            case "minority" -> {
                targets = follower + "|" + leader + "," + other;
                partitions.split(List.of(follower), List.of(leader, other));
                start = partition();
            }
            case "bridge" -> {
                // the leader and one follower cannot talk; the other follower hears both
                targets = leader + "|" + follower + " via " + other;
                partitions.cut(leader, follower);
                start = partition();
            }
            case "asymmetric" -> {
                targets = leader + " deaf to " + String.join(",", followers);
                for (String f : followers) {
                    partitions.drop(leader, f);
                }
                start = partition();
            }
            case "kill-follower+pause-leader" -> {
                targets = follower + "+" + leader;
                start = history.now();
                kill(follower);
                pause(leader);
            }
            case "rejoin-then-pause-follower" -> {
                targets = follower + " back, " + other + " paused";
                kill(follower);
                Pause.briefly(1000 + random.nextInt(2000));
                lab.start(follower);
                killed.remove(follower);
                start = history.now();
                pause(other);
            }
            case "disk-full-leader", "disk-full-follower" -> {
                targets = kind.equals("disk-full-leader") ? leader : follower;
                start = history.now();
                filled.add(targets);
                disks.fill(targets, targets);
            }
            case "torn-leader", "torn-follower" -> {
                String host = kind.equals("torn-leader") ? leader : follower;
                start = history.now();
                kill(host);
                targets = host + " (last entry cut by " + disks.tear(host) + " bytes)";
            }
            default -> throw new IllegalArgumentException("no fault kind " + kind + " (" + KINDS + ")");
        }
        Pause.briefly(1000 + random.nextInt(2000));
        healAll();
        history.add(new Fault(kind, targets, start, history.now()));
    }

    private long partition() {
        partitions.apply();
        return history.now();
    }

    private void kill(String host) {
        lab.kill(host);
        killed.add(host);
    }

    private void pause(String host) {
        lab.signal(host, "STOP");
        paused.add(host);
    }

    /** Continues paused daemons, removes every partition and filler, starts killed daemons. */
    void healAll() {
        for (String h : List.copyOf(filled)) {
            disks.heal(h);
            filled.remove(h);
        }
        for (String h : List.copyOf(paused)) {
            lab.signal(h, "CONT");
            paused.remove(h);
        }
        partitions.heal(lab.managerHosts());
        for (String h : List.copyOf(killed)) {
            lab.start(h);
            killed.remove(h);
        }
    }

    /** Polls until every manager knows the same leader and it reaches every manager ({@link Managers#whole}). */
    void awaitWhole() {
        long deadline = System.nanoTime() + WHOLE_AGAIN.toNanos();
        while (System.nanoTime() < deadline) {
            if (managers.whole()) {
                return;
            }
            Pause.briefly(200);
        }
        StringBuilder logs = new StringBuilder();
        for (String h : lab.managerHosts()) {
            logs.append("\n--- ").append(h).append(":\n").append(lab.log(h));
        }
        throw new AssertionError("the managers were not whole again within " + WHOLE_AGAIN + logs);
    }

    private String leader() {
        for (String h : lab.managerHosts()) {
            var l = managers.leader(h);
            if (l.isPresent()) {
                return l.get();
            }
        }
        throw new AssertionError("no manager knows a leader");
    }
}
