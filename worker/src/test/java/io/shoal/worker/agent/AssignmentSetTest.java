package io.shoal.worker.agent;

import com.google.protobuf.ByteString;
import io.grpc.StatusRuntimeException;
import io.shoal.api.AssignmentsMessage;
import io.shoal.api.Config;
import io.shoal.api.ConfigReference;
import io.shoal.api.ContainerSpec;
import io.shoal.api.Secret;
import io.shoal.api.SecretReference;
import io.shoal.api.SecretSpec;
import io.shoal.api.Task;
import io.shoal.api.TaskSpec;
import io.shoal.worker.exec.Dependencies;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AssignmentSetTest {
    private static Task task(String id, String image) {
        return Task.newBuilder().setId(id).setSpec(TaskSpec.newBuilder()
                .setContainer(ContainerSpec.newBuilder().setImage(image))).build();
    }

    private static List<String> ids(List<Task> tasks) {
        return tasks.stream().map(Task::getId).toList();
    }

    @Test
    void changesApplyOnTopOfTheFullSet() {
        AssignmentSet set = new AssignmentSet();
        assertEquals(List.of("a", "b"), ids(set.apply(AssignmentsMessage.newBuilder().setSequence(1).setFull(true)
                .addTasks(task("a", "x:1")).addTasks(task("b", "x:1")).build())));
        List<Task> after = set.apply(AssignmentsMessage.newBuilder().setSequence(2)
                .addTasks(task("a", "x:2")).addTasks(task("c", "x:1")).addRemoved("b").build());
        assertEquals(List.of("a", "c"), ids(after));
        assertEquals("x:2", after.getFirst().getSpec().getContainer().getImage());
    }

    @Test
    void aGapOrChangesBeforeAFullSetForceAResync() {
        AssignmentSet fresh = new AssignmentSet();
        assertThrows(StatusRuntimeException.class, () -> fresh.apply(AssignmentsMessage.newBuilder().setSequence(1)
                .addTasks(task("a", "x:1")).build()));
        AssignmentSet set = new AssignmentSet();
        set.apply(AssignmentsMessage.newBuilder().setSequence(1).setFull(true).build());
        assertThrows(StatusRuntimeException.class, () -> set.apply(AssignmentsMessage.newBuilder().setSequence(3).build()));
    }

    private static Secret secret(String id, String value) {
        return Secret.newBuilder().setId(id).setSpec(SecretSpec.newBuilder().setData(ByteString.copyFromUtf8(value))).build();
    }

    private static Task reading(String id, String secret, String config) {
        return Task.newBuilder().setId(id).setSpec(TaskSpec.newBuilder().setContainer(ContainerSpec.newBuilder()
                .addSecrets(SecretReference.newBuilder().setSecretId(secret))
                .addConfigs(ConfigReference.newBuilder().setConfigId(config)))).build();
    }

    @Test
    void secretsAndConfigsComeAndGoWithTheMessagesAndEachTaskSeesOnlyItsOwn() {
        DependencyStore deps = new DependencyStore();
        AssignmentSet set = new AssignmentSet(deps);
        set.apply(AssignmentsMessage.newBuilder().setSequence(1).setFull(true).addSecrets(secret("s1", "one"))
                .addSecrets(secret("s2", "two")).addConfigs(Config.newBuilder().setId("c1")).build());
        assertEquals(Set.of("s1", "s2"), deps.secretIds());
        Dependencies t1 = deps.forTask(reading("t1", "s1", "c1"));
        assertEquals("one", t1.secret("s1").orElseThrow().getSpec().getData().toStringUtf8());
        assertTrue(t1.secret("s2").isEmpty(), "s2 is on the node but t1 does not name it");
        assertTrue(t1.config("c1").isPresent());
        assertSame(Dependencies.NONE, deps.forTask(task("t2", "x:1")));

        set.apply(AssignmentsMessage.newBuilder().setSequence(2).addRemovedSecrets("s1").addRemovedConfigs("c1")
                .addSecrets(secret("s3", "three")).build());
        assertEquals(Set.of("s2", "s3"), deps.secretIds());
        assertTrue(t1.secret("s1").isEmpty(), "forgotten: a view looks up when asked");
        assertEquals(Set.of(), deps.configIds());

        set.apply(AssignmentsMessage.newBuilder().setSequence(3).setFull(true).addSecrets(secret("s3", "three")).build());
        assertEquals(Set.of("s3"), deps.secretIds(), "a full message replaces them all");
    }
}
