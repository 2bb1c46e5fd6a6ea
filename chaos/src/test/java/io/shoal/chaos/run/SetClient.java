package io.shoal.chaos.run;

import io.grpc.StatusRuntimeException;
import io.shoal.api.CreateServiceRequest;
import io.shoal.chaos.history.History;
import io.shoal.chaos.history.Op;
import io.shoal.chaos.history.Outcome;

/** A client of the set (services by unique name) through one manager: creates, one at a time. */
final class SetClient implements Runnable {
    private final int process;
    private final String host;
    private final Managers managers;
    private final History history;
    private volatile boolean stop;
    private int counter;

    SetClient(int process, String host, Managers managers, History history) {
        this.process = process;
        this.host = host;
        this.managers = managers;
        this.history = history;
    }

    void stop() {
        stop = true;
    }

    @Override
    public void run() {
        while (!stop) {
            String name = Specs.SET_PREFIX + process + "-" + ++counter;
            long t0 = history.now();
            try {
                managers.control(host, RegisterClient.DEADLINE_MS).createService(CreateServiceRequest.newBuilder().setSpec(Specs.idle(name)).build());
                history.add(Op.add(process, name, t0, history.now(), Outcome.OK));
            } catch (StatusRuntimeException e) {
                Outcome o = Managers.outcome(e);
                history.add(Op.add(process, name, t0, history.now(), o).withError(Managers.describe(e)));
                if (o == Outcome.INDETERMINATE) {
                    Pause.briefly(100);
                }
            }
            Pause.briefly(50); // a steady trickle of creates, not a flood of services
        }
    }
}
