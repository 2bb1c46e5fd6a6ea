package io.shoal.manager.orchestrator.update;

import io.shoal.api.Endpoint;
import io.shoal.api.Network;
import io.shoal.api.Service;
import io.shoal.api.ServiceSpec;
import io.shoal.api.UpdateStatus;
import io.shoal.manager.network.Ingress;
import io.shoal.manager.network.PublishedPorts;
import io.shoal.manager.store.ReadTx;

/**
 * A service turned back to its previous spec: what {@code service rollback} writes (through the
 * Control API) and what the rollback failure action writes (through the updater). The rollback
 * is then rolled out like an update, with the service's rollback config.
 */
public final class Rollbacks {
    private Rollbacks() {}

    /**
     * The service on its previous spec (and that spec's version, so the tasks still on it count as
     * up to date), its published ports allocated again for it, with status ROLLBACK_STARTED.
     *
     * @param keepCurrent the current spec becomes the previous one (a manual rollback, as docker's,
     *                    can itself be rolled back); otherwise none is left (an automatic rollback)
     * @throws IllegalStateException when the service has no previous spec
     * @throws RuntimeException      (a gRPC status) when a port of the previous spec is taken now
     */
    public static Service rollBack(ReadTx tx, Service s, boolean keepCurrent, String message, long nowMs) {
        if (!s.hasPreviousSpec()) {
            throw new IllegalStateException("service " + s.getSpec().getAnnotations().getName() + " has no previous spec to roll back to");
        }
        ServiceSpec previous = Ingress.attach(s.getPreviousSpec(), Ingress.find(tx).map(Network::getId).orElse(null));
        Endpoint endpoint = s.getEndpoint().toBuilder().setSpec(previous.getEndpoint()).clearPorts()
                .addAllPorts(PublishedPorts.allocate(tx, s.getId(), previous.getEndpoint(), s.getEndpoint().getPortsList())).build();
        Service.Builder b = s.toBuilder().setSpec(previous).setSpecVersion(s.getPreviousSpecVersion()).setEndpoint(endpoint)
                .setUpdateStatus(UpdateStatus.newBuilder().setState(UpdateStatus.State.ROLLBACK_STARTED)
                        .setStartedMs(nowMs).setMessage(message));
        if (keepCurrent) {
            b.setPreviousSpec(s.getSpec()).setPreviousSpecVersion(s.getSpecVersion());
        } else {
            b.clearPreviousSpec().setPreviousSpecVersion(0);
        }
        return b.build();
    }
}
