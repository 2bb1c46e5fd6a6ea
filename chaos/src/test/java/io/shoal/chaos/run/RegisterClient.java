package io.shoal.chaos.run;

import io.grpc.StatusRuntimeException;
import io.shoal.api.GetServiceRequest;
import io.shoal.api.Service;
import io.shoal.api.UpdateServiceRequest;
import io.shoal.chaos.history.History;
import io.shoal.chaos.history.Op;
import io.shoal.chaos.history.Outcome;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A client of the registers (one service each, the value in a label) through one manager: reads
 * (linearizable reads of the Control API), compare-and-set (an update naming the version it read)
 * and now and then a blind write (version 0). Values are unique across the run (the process number
 * in the high bits), so a version read names one value and a compare-and-set on the version is a
 * compare-and-set on the value.
 */
final class RegisterClient implements Runnable {
    static final long DEADLINE_MS = 2000;

    private final int process;
    private final String host;
    private final Managers managers;
    private final History history;
    private final List<String> keys;
    private final Random random;
    private final Map<String, Service> lastRead = new HashMap<>();
    private volatile boolean stop;
    private long counter;

    RegisterClient(int process, String host, Managers managers, History history, List<String> keys, long seed) {
        this.process = process;
        this.host = host;
        this.managers = managers;
        this.history = history;
        this.keys = keys;
        this.random = new Random(seed);
    }

    void stop() {
        stop = true;
    }

    @Override
    public void run() {
        while (!stop) {
            String key = keys.get(random.nextInt(keys.size()));
            Service seen = lastRead.get(key);
            int dice = random.nextInt(10);
            Outcome o;
            if (seen == null || dice < 5) {
                o = read(key);
            } else if (dice < 9) {
                o = cas(key, seen);
            } else {
                o = write(key, seen);
            }
            if (o == Outcome.INDETERMINATE) {
                Pause.briefly(100); // the manager is down or cut off: do not spin on it
            }
        }
    }

    private long nextValue() {
        return ((long) (process + 1) << 32) | ++counter;
    }

    private Outcome read(String key) {
        long t0 = history.now();
        try {
            Service s = managers.control(host, DEADLINE_MS).getService(GetServiceRequest.newBuilder().setService(key).build());
            history.add(Op.read(process, key, Specs.value(s.getSpec()), t0, history.now(), Outcome.OK));
            lastRead.put(key, s);
            return Outcome.OK;
        } catch (StatusRuntimeException e) {
            Outcome o = Managers.outcome(e);
            history.add(Op.read(process, key, 0, t0, history.now(), o).withError(Managers.describe(e)));
            return o;
        }
    }

    private Outcome cas(String key, Service seen) {
        long expected = Specs.value(seen.getSpec());
        long value = nextValue();
        long t0 = history.now();
        try {
            managers.control(host, DEADLINE_MS).updateService(UpdateServiceRequest.newBuilder().setService(key)
                    .setSpec(Specs.withValue(seen.getSpec(), value)).setVersion(seen.getMeta().getVersion()).build());
            history.add(Op.cas(process, key, expected, value, t0, history.now(), Outcome.OK));
            lastRead.remove(key); // its version is gone: read again before the next compare-and-set
            return Outcome.OK;
        } catch (StatusRuntimeException e) {
            Outcome o = Managers.outcome(e);
            history.add(Op.cas(process, key, expected, value, t0, history.now(), o).withError(Managers.describe(e)));
            lastRead.remove(key);
            return o;
        }
    }

    private Outcome write(String key, Service seen) {
        long value = nextValue();
        long t0 = history.now();
        try {
            managers.control(host, DEADLINE_MS).updateService(UpdateServiceRequest.newBuilder().setService(key)
                    .setSpec(Specs.withValue(seen.getSpec(), value)).build());
            history.add(Op.write(process, key, value, t0, history.now(), Outcome.OK));
            return Outcome.OK;
        } catch (StatusRuntimeException e) {
            Outcome o = Managers.outcome(e);
            history.add(Op.write(process, key, value, t0, history.now(), o).withError(Managers.describe(e)));
            return o;
        } finally {
            lastRead.remove(key);
        }
    }
}
