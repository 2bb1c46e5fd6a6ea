package io.shoal.manager.control;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.shoal.api.Annotations;
import io.shoal.api.ContainerSpec;
import io.shoal.api.CreateServiceRequest;
import io.shoal.api.GetServiceRequest;
import io.shoal.api.GlobalService;
import io.shoal.api.ReplicatedService;
import io.shoal.api.Service;
import io.shoal.api.ServiceSpec;
import io.shoal.api.TaskSpec;
import io.shoal.api.UpdateConfig;
import io.shoal.api.UpdateServiceRequest;
import io.shoal.api.UpdateStatus;
import io.shoal.manager.store.Batches;
import io.shoal.manager.store.ClusterStore;
import io.shoal.manager.store.StoreObjects;
import io.shoal.manager.store.StoreWriter;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What `service update` and `service rollback` write through the Control API, and what they refuse. */
class ServiceUpdatesApiTest {
    private final ClusterStore store = new ClusterStore();
    private final LocalConsensus consensus = new LocalConsensus(store);
    private final StoreWriter writer = new StoreWriter(store, consensus);
    private final ServicesApi api = new ServicesApi(store, writer, consensus);

    private static ServiceSpec spec(String image) {
        return ServiceSpec.newBuilder().setAnnotations(Annotations.newBuilder().setName("web"))
                .setReplicated(ReplicatedService.newBuilder().setReplicas(2))
                .setTask(TaskSpec.newBuilder().setContainer(ContainerSpec.newBuilder().setImage(image))).build();
    }

    private Service update(ServiceSpec spec) {
        return api.updateService(UpdateServiceRequest.newBuilder().setService("web").setSpec(spec).build());
    }

    private Service rollback() {
        return api.updateService(UpdateServiceRequest.newBuilder().setService("web").setRollback(true).build());
    }

    private Service get() {
        return api.getService(GetServiceRequest.newBuilder().setService("web").build());
    }

    private static Status.Code code(Runnable r) {
        return assertThrows(StatusRuntimeException.class, r::run).getStatus().getCode();
    }

    private static String refusal(Runnable r) {
        return assertThrows(StatusRuntimeException.class, r::run).getStatus().getDescription();
    }

    @Test
    void anUpdateKeepsThePreviousSpecAndResetsTheStatus() {
        Service created = api.createService(CreateServiceRequest.newBuilder().setSpec(spec("app:1")).build());
        assertFalse(created.hasPreviousSpec());
        writer.update(tx -> List.of(Batches.update(StoreObjects.wrap(tx.service(created.getId()).orElseThrow().toBuilder()
                .setUpdateStatus(UpdateStatus.newBuilder().setState(UpdateStatus.State.COMPLETED)).build()))));
        Service updated = update(spec("app:2"));
        assertEquals("app:1", updated.getPreviousSpec().getTask().getContainer().getImage());
        assertEquals(created.getSpecVersion(), updated.getPreviousSpecVersion());
        assertTrue(updated.getSpecVersion() > created.getSpecVersion(), "a new spec version for the tasks of the new spec");
        assertEquals(UpdateStatus.State.UNKNOWN, updated.getUpdateStatus().getState(), "the update starts over");
    }

    @Test
    void rollbackReturnsToThePreviousSpecAndCanItselfBeRolledBack() {
        api.createService(CreateServiceRequest.newBuilder().setSpec(spec("app:1")).build());
        assertEquals(Status.Code.FAILED_PRECONDITION, code(this::rollback), "a service never updated has nothing to roll back to");
        assertTrue(refusal(this::rollback).contains("has no previous spec"));
        Service v2 = update(spec("app:2"));
        Service back = rollback();
        assertEquals("app:1", back.getSpec().getTask().getContainer().getImage());
        assertEquals(v2.getPreviousSpecVersion(), back.getSpecVersion(), "the tasks still on the previous spec are up to date again");
        assertEquals("app:2", back.getPreviousSpec().getTask().getContainer().getImage());
        assertEquals(UpdateStatus.State.ROLLBACK_STARTED, back.getUpdateStatus().getState());
        assertEquals("manually requested rollback", back.getUpdateStatus().getMessage());
        assertEquals("app:2", rollback().getSpec().getTask().getContainer().getImage());
    }

    @Test
    void anUpdateThatChangesNothingWritesNothingButResumesAPausedUpdate() {
        api.createService(CreateServiceRequest.newBuilder().setSpec(spec("app:1")).build());
        Service v2 = update(spec("app:2"));
        assertEquals(v2.getMeta().getVersion(), update(spec("app:2")).getMeta().getVersion(), "nothing written");
        writer.update(tx -> List.of(Batches.update(StoreObjects.wrap(tx.service(v2.getId()).orElseThrow().toBuilder()
                .setUpdateStatus(UpdateStatus.newBuilder().setState(UpdateStatus.State.PAUSED).setMessage("update paused")).build()))));
        Service resumed = update(spec("app:2"));
        assertEquals(UpdateStatus.State.UNKNOWN, resumed.getUpdateStatus().getState());
        assertEquals("app:1", resumed.getPreviousSpec().getTask().getContainer().getImage(), "the previous spec stays what it was");
    }

    @Test
    void badUpdateConfigsNameTheFieldAndChangeNothing() {
        api.createService(CreateServiceRequest.newBuilder().setSpec(spec("app:1")).build());
        long version = get().getMeta().getVersion();
        UnaryOperator<UpdateConfig.Builder> ok = b -> b;
        assertTrue(refusal(() -> update(spec("app:2").toBuilder().setUpdate(UpdateConfig.newBuilder().setMaxFailureRatio(1.5f)).build()))
                .startsWith("update-max-failure-ratio: 1.5 is not between 0 and 1"));
        assertTrue(refusal(() -> update(spec("app:2").toBuilder().setUpdate(ok.apply(UpdateConfig.newBuilder().setDelayMs(-1))).build()))
                .contains("must not be negative"));
        assertTrue(refusal(() -> update(spec("app:2").toBuilder().setRollback(UpdateConfig.newBuilder()
                .setFailureAction(UpdateConfig.FailureAction.ROLLBACK)).build())).startsWith("rollback-failure-action:"));
        assertTrue(refusal(() -> update(spec("app:2").toBuilder().setUpdate(UpdateConfig.newBuilder().setOrderValue(7)).build()))
                .startsWith("update-order: unknown"));
        assertTrue(refusal(() -> update(spec("app:2").toBuilder().setGlobal(GlobalService.getDefaultInstance()).build()))
                .startsWith("mode: a service's mode cannot change"));
        assertTrue(refusal(() -> update(spec("app:2").toBuilder().setAnnotations(Annotations.newBuilder().setName("other")).build()))
                .startsWith("name: a service cannot be renamed"));
        TaskSpec.Builder negative = spec("app:2").getTask().toBuilder().setStopAfterDisconnectMs(-1);
        assertEquals("stop-tasks-after-disconnect must not be negative (0 means never)",
                refusal(() -> update(spec("app:2").toBuilder().setTask(negative).build())));
        assertEquals(version, get().getMeta().getVersion(), "nothing changed");
        assertEquals("app:1", get().getSpec().getTask().getContainer().getImage());
    }
}
