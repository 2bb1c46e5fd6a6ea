package io.shoal.chaos.run;

import io.grpc.StatusRuntimeException;
import io.shoal.api.CreateServiceRequest;
import io.shoal.chaos.check.Availability;
import io.shoal.chaos.check.Linearizability;
import io.shoal.chaos.check.SetCheck;
import io.shoal.chaos.history.Fault;
import io.shoal.chaos.history.History;
import io.shoal.chaos.history.Op;
import io.shoal.chaos.history.Outcome;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * One chaos run on a lab whose cluster is up: registers made, a register client and a set client
 * through every manager, the nemesis's schedule of faults, everything healed, convergence awaited,
 * then the checkers. {@link Report} holds the verdicts and the figures.
 */
final class ChaosRun {
    static final int REGISTERS = 3;
    private static final long SEED = Long.getLong("shoal.chaos.seed", 15);

    record Report(int ops, Map<Outcome, Long> byOutcome, Map<String, Long> faultsByKind, List<Linearizability.Verdict> registers,
                  SetCheck.Verdict set, List<Availability.Window> windows, long convergeMs, long writesAcked) {
        boolean ok() {
            return set.ok() && registers.stream().allMatch(Linearizability.Verdict::ok);
        }

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder();
            b.append(String.format("operations: %d (%s), acknowledged writes %d, lost %d%n", ops, byOutcome, writesAcked, set.lost().size()));
            b.append("faults: ").append(faultsByKind).append('\n');
            registers.forEach(v -> b.append("register ").append(v).append('\n'));
            b.append(set).append('\n');
            windows.forEach(w -> b.append("window ").append(w).append('\n'));
            b.append("converged ").append(convergeMs).append(" ms after the last heal\n");
            return b.toString();
        }
    }

    private ChaosRun() {}

    /**
     * Runs SCHEDULE (fault kinds, in order) against the lab's managers; returns the checked report.
     * The whole history (faults and operations in time order) goes to {@code chaos/target/NAME-history.txt}
     * for a post-mortem of a failed verdict.
     */
    static Report run(ChaosLab lab, String subnet, List<String> schedule) {
        History history = new History();
        List<String> hosts = lab.managerHosts();
        List<String> keys = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        List<RegisterClient> registerClients = new ArrayList<>();
        List<SetClient> setClients = new ArrayList<>();
        try (Managers managers = new Managers(lab, subnet)) {
            Partitions partitions = new Partitions(lab, subnet);
            Nemesis nemesis = new Nemesis(lab, managers, partitions, history, SEED);
            nemesis.awaitWhole();
            for (int i = 0; i < REGISTERS; i++) {
                String key = Specs.REGISTER_PREFIX + i;
                createRegister(managers, hosts.getFirst(), key);
                keys.add(key);
            }
            int process = 0;
            for (String h : hosts) {
                RegisterClient rc = new RegisterClient(process, h, managers, history, keys, SEED + process);
                registerClients.add(rc);
                threads.add(Thread.ofPlatform().name("chaos-reg-" + h).start(rc));
                process++;
                SetClient sc = new SetClient(process, h, managers, history);
                setClients.add(sc);
                threads.add(Thread.ofPlatform().name("chaos-set-" + h).start(sc));
                process++;
            }
            long lastHeal;
            try {
                for (String kind : schedule) {
                    nemesis.inject(kind);
                }
                // a quiet stretch, so the last fault's window can close
                nemesis.awaitWhole();
                Pause.briefly(2000);
            } finally {
                nemesis.healAll();
                lastHeal = history.now();
                registerClients.forEach(RegisterClient::stop);
                setClients.forEach(SetClient::stop);
                for (Thread t : threads) {
                    try {
                        t.join(30_000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
            nemesis.awaitWhole();
            Convergence.State state = Convergence.await(managers, hosts, Duration.ofSeconds(90));
            long convergeMs = (history.now() - lastHeal) / 1_000_000L;
            long at = history.now();
            for (String key : keys) {
                String[] versionValue = state.services().get(key).split(" ");
                history.add(Op.read(-1, key, Long.parseLong(versionValue[1]), at, at, Outcome.OK));
            }
            Set<String> present = state.services().keySet().stream().filter(n -> n.startsWith(Specs.SET_PREFIX)).collect(Collectors.toSet());
            dump(history, lab.name);
            return report(history, present, convergeMs);
        }
    }

    private static void dump(History history, String name) {
        List<String> lines = new ArrayList<>();
        history.faults().forEach(f -> lines.add(f.startNs() + " fault " + f));
        history.ops().forEach(o -> lines.add(o.invokedNs() + " " + o.toString().replace('\n', ' ')));
        lines.sort(Comparator.comparingLong(l -> Long.parseLong(l.substring(0, l.indexOf(' ')))));
        Path out = Path.of("target", name + "-history.txt");
        try {
            Files.createDirectories(out.getParent());
            Files.write(out, lines.stream().map(l -> l.substring(l.indexOf(' ') + 1)).toList());
        } catch (IOException e) {
            System.err.println("cannot write " + out + ": " + e.getMessage());
        }
    }

    private static void createRegister(Managers managers, String host, String key) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                managers.control(host, 10_000).createService(CreateServiceRequest.newBuilder().setSpec(Specs.register(key, 0)).build());
                return;
            } catch (StatusRuntimeException e) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("cannot create register " + key + ": " + e.getStatus(), e);
                }
                Pause.briefly(200);
            }
        }
    }

    private static Report report(History history, Set<String> present, long convergeMs) {
        List<Op> ops = history.ops();
        List<Fault> faults = history.faults();
        Map<Outcome, Long> byOutcome = ops.stream().filter(o -> o.process() >= 0)
                .collect(Collectors.groupingBy(Op::outcome, TreeMap::new, Collectors.counting()));
        Map<String, Long> byKind = faults.stream().collect(Collectors.groupingBy(Fault::kind, TreeMap::new, Collectors.counting()));
        long acked = ops.stream().filter(o -> o.writes() && o.outcome() == Outcome.OK).count();
        List<Linearizability.Verdict> verdicts = Linearizability.check(ops.stream().filter(o -> o.kind() != Op.Kind.ADD).toList(), 0, 120_000);
        SetCheck.Verdict set = SetCheck.check(ops, present);
        return new Report((int) ops.stream().filter(o -> o.process() >= 0).count(), byOutcome, byKind, verdicts, set,
                Availability.windows(ops, faults), convergeMs, acked);
    }
}
