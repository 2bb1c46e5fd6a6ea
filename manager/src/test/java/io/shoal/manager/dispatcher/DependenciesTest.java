package io.shoal.manager.dispatcher;

import com.google.protobuf.ByteString;
import io.shoal.api.Annotations;
import io.shoal.api.AssignmentsMessage;
import io.shoal.api.Cluster;
import io.shoal.api.Config;
import io.shoal.api.ConfigReference;
import io.shoal.api.ConfigSpec;
import io.shoal.api.ContainerSpec;
import io.shoal.api.Secret;
import io.shoal.api.SecretReference;
import io.shoal.api.SecretSpec;
import io.shoal.api.Task;
import io.shoal.api.TaskSpec;
import io.shoal.api.TaskState;
import io.shoal.api.TaskStatus;
import io.shoal.manager.ca.KeyEncryption;
import io.shoal.manager.secrets.SecretCipher;
import io.shoal.manager.store.Batches;
import io.shoal.manager.store.ClusterStore;
import io.shoal.manager.store.LocalProposer;
import io.shoal.manager.store.StoreObjects;
import io.shoal.manager.store.StoreWriter;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A node is sent the secrets and configs of its tasks up to RUNNING, opened, once; and told to forget them after. */
class DependenciesTest {
    private final ClusterStore store = new ClusterStore();
    private final StoreWriter writer = new StoreWriter(store, new LocalProposer(store, () -> 1000));
    private final SecretCipher cipher = new SecretCipher(KeyEncryption.newKey());
    private Cluster cluster;

    private Secret secret(String id, String value) {
        return Secret.newBuilder().setId(id).setSpec(SecretSpec.newBuilder().setAnnotations(Annotations.newBuilder().setName("n-" + id))
                .setData(cipher.seal(cluster, id, ByteString.copyFromUtf8(value)))).build();
    }

    private static Task task(String id, String node, TaskState state, List<String> secrets, List<String> configs) {
        ContainerSpec.Builder c = ContainerSpec.newBuilder().setImage("busybox");
        secrets.forEach(s -> c.addSecrets(SecretReference.newBuilder().setSecretId(s).setTarget(s)));
        configs.forEach(s -> c.addConfigs(ConfigReference.newBuilder().setConfigId(s).setTarget("/" + s)));
        return Task.newBuilder().setId(id).setNodeId(node).setSpec(TaskSpec.newBuilder().setContainer(c))
                .setDesiredState(TaskState.TASK_STATE_RUNNING).setStatus(TaskStatus.newBuilder().setState(state)).build();
    }

    @BeforeEach
    void objects() {
        cluster = cipher.withDataKey(Cluster.newBuilder().setId("c1").build());
        writer.update(tx -> List.of(Batches.create(StoreObjects.wrap(cluster)),
                Batches.create(StoreObjects.wrap(secret("s1", "one"))), Batches.create(StoreObjects.wrap(secret("s2", "two"))),
                Batches.create(StoreObjects.wrap(Config.newBuilder().setId("c1").setSpec(ConfigSpec.newBuilder()
                        .setAnnotations(Annotations.newBuilder().setName("conf")).setData(ByteString.copyFromUtf8("x=1"))).build()))));
    }

    private void put(Task t) {
        writer.update(tx -> List.of(tx.task(t.getId()).isPresent() ? Batches.putUnconditional(StoreObjects.wrap(t))
                : Batches.create(StoreObjects.wrap(t))));
    }

    private Dependencies.Needed needed(String node) {
        return store.view(tx -> Dependencies.Needed.of(tx, tx.tasksOnNode(node)));
    }

    @Test
    void aNodeGetsWhatItsLiveTasksReadOpenedThenOnlyChanges() {
        put(task("t1", "n1", TaskState.TASK_STATE_ASSIGNED, List.of("s1"), List.of("c1")));
        put(task("t2", "n1", TaskState.TASK_STATE_COMPLETE, List.of("s2"), List.of()));
        put(task("t3", "n2", TaskState.TASK_STATE_RUNNING, List.of("s2"), List.of()));
        put(task("t4", "n1", TaskState.TASK_STATE_RUNNING, List.of("s1"), List.of()));
        Dependencies sent = new Dependencies(cipher);

        AssignmentsMessage full = sent.into(AssignmentsMessage.newBuilder().setFull(true), needed("n1")).build();
        assertEquals(List.of("s1"), full.getSecretsList().stream().map(Secret::getId).toList(),
                "s2 only for a finished task here and a task of another node");
        assertEquals("one", full.getSecrets(0).getSpec().getData().toStringUtf8(), "opened for the node");
        assertEquals(List.of("c1"), full.getConfigsList().stream().map(Config::getId).toList());
        assertNull(sent.into(null, needed("n1")), "nothing new, nothing sent");

        put(task("t5", "n1", TaskState.TASK_STATE_ASSIGNED, List.of("s2"), List.of()));
        AssignmentsMessage m = sent.into(null, needed("n1")).build();
        assertEquals(List.of("s2"), m.getSecretsList().stream().map(Secret::getId).toList());
        assertEquals(0, m.getConfigsCount());

        put(task("t1", "n1", TaskState.TASK_STATE_FAILED, List.of("s1"), List.of("c1")));
        m = sent.into(null, needed("n1")).build();
        assertEquals(List.of(), m.getRemovedSecretsList(), "t4 still reads s1");
        assertEquals(List.of("c1"), m.getRemovedConfigsList());
        put(task("t4", "n1", TaskState.TASK_STATE_SHUTDOWN, List.of("s1"), List.of()));
        put(task("t5", "n1", TaskState.TASK_STATE_COMPLETE, List.of("s2"), List.of()));
        m = sent.into(AssignmentsMessage.newBuilder(), needed("n1")).build();
        assertEquals(List.of("s1", "s2"), m.getRemovedSecretsList().stream().sorted().toList());
        assertNull(sent.into(null, needed("n1")));
        assertTrue(sent.into(AssignmentsMessage.newBuilder().setFull(true), needed("n1")).getSecretsCount() == 0);
    }

    @Test
    void aSecretThatCannotBeOpenedIsLeftOutAndTheRestGoes() {
        put(task("t1", "n1", TaskState.TASK_STATE_ASSIGNED, List.of("s1"), List.of("c1")));
        Dependencies stranger = new Dependencies(new SecretCipher(KeyEncryption.newKey()));
        AssignmentsMessage m = stranger.into(AssignmentsMessage.newBuilder().setFull(true), needed("n1")).build();
        assertEquals(0, m.getSecretsCount());
        assertEquals(1, m.getConfigsCount());
    }
}
