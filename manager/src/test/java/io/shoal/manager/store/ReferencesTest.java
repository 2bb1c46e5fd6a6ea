package io.shoal.manager.store;

import com.google.protobuf.ByteString;
import io.shoal.api.Annotations;
import io.shoal.api.Config;
import io.shoal.api.ConfigReference;
import io.shoal.api.ConfigSpec;
import io.shoal.api.ContainerSpec;
import io.shoal.api.Secret;
import io.shoal.api.SecretReference;
import io.shoal.api.SecretSpec;
import io.shoal.api.Service;
import io.shoal.api.ServiceSpec;
import io.shoal.api.TaskSpec;
import io.shoal.api.raft.ApplyResult;
import io.shoal.api.raft.StoreAction;
import io.shoal.api.raft.StoreBatch;
import io.shoal.api.raft.StoreObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The store keeps services' secrets and configs in existence, whatever order the writes race in. */
class ReferencesTest {
    private final ClusterStore store = new ClusterStore();
    private long index;

    private static StoreObject secret(String id, String name) {
        return StoreObjects.wrap(Secret.newBuilder().setId(id).setSpec(SecretSpec.newBuilder()
                .setAnnotations(Annotations.newBuilder().setName(name)).setData(ByteString.copyFromUtf8("sealed"))).build());
    }

    private static StoreObject config(String id, String name) {
        return StoreObjects.wrap(Config.newBuilder().setId(id).setSpec(ConfigSpec.newBuilder()
                .setAnnotations(Annotations.newBuilder().setName(name)).setData(ByteString.copyFromUtf8("x"))).build());
    }

    private static StoreObject service(String id, List<String> secrets, List<String> configs) {
        ContainerSpec.Builder c = ContainerSpec.newBuilder().setImage("busybox");
        secrets.forEach(s -> c.addSecrets(SecretReference.newBuilder().setSecretId(s).setSecretName("name-" + s).setTarget(s)));
        configs.forEach(s -> c.addConfigs(ConfigReference.newBuilder().setConfigId(s).setConfigName("name-" + s).setTarget("/" + s)));
        return StoreObjects.wrap(Service.newBuilder().setId(id).setSpec(ServiceSpec.newBuilder()
                .setAnnotations(Annotations.newBuilder().setName("svc-" + id)).setTask(TaskSpec.newBuilder().setContainer(c))).build());
    }

    private ApplyResult apply(StoreAction... actions) {
        return store.apply(++index, StoreBatch.newBuilder().setTimestampMs(1000).addAllActions(List.of(actions)).build());
    }

    private StoreObject stored(ObjectKind kind, String id) {
        return store.view(tx -> tx.get(kind, id)).orElseThrow();
    }

    @Test
    void aServiceMayNameOnlySecretsAndConfigsThatExist() {
        ApplyResult r = apply(Batches.create(service("s1", List.of("nope"), List.of())));
        assertFalse(r.getOk());
        assertEquals("secret nope does not exist", r.getError());
        assertEquals(ApplyResult.Refusal.REFERENCE, r.getRefusal());
        assertTrue(StoreException.of(r) instanceof StoreException.BrokenReference);
        assertTrue(apply(Batches.create(secret("k1", "db")), Batches.create(config("c1", "conf"))).getOk());
        r = apply(Batches.create(service("s1", List.of("k1"), List.of("c9"))));
        assertEquals("config c9 does not exist", r.getError());
        assertTrue(apply(Batches.create(service("s1", List.of("k1"), List.of("c1")))).getOk());
    }

    @Test
    void aSecretOrConfigInUseCannotGoAndNothingOfTheBatchApplies() {
        assertTrue(apply(Batches.create(secret("k1", "db")), Batches.create(config("c1", "conf")),
                Batches.create(service("s1", List.of("k1"), List.of("c1")))).getOk());
        ApplyResult r = apply(Batches.create(secret("k2", "other")), Batches.remove(stored(ObjectKind.SECRET, "k1")));
        assertEquals("secret 'db' is in use by the following service: svc-s1", r.getError());
        assertEquals(ApplyResult.Refusal.REFERENCE, r.getRefusal());
        assertTrue(store.view(tx -> tx.get(ObjectKind.SECRET, "k2")).isEmpty(), "all or nothing");
        r = apply(Batches.remove(stored(ObjectKind.CONFIG, "c1")));
        assertEquals("config 'conf' is in use by the following service: svc-s1", r.getError());
        assertTrue(store.view(tx -> tx.get(ObjectKind.SECRET, "k1")).isPresent());

        // the service goes first in the same batch: then the secret may go too
        assertTrue(apply(Batches.remove(stored(ObjectKind.SERVICE, "s1")), Batches.remove(stored(ObjectKind.SECRET, "k1"))).getOk());
        assertTrue(store.view(tx -> tx.get(ObjectKind.SECRET, "k1")).isEmpty());
    }

    @Test
    void aRemovalAndACreationDecidedOnTheSameViewCannotBothApply() {
        assertTrue(apply(Batches.create(secret("k1", "db"))).getOk());
        StoreObject k1 = stored(ObjectKind.SECRET, "k1");
        // `secret rm db` and `service create --secret db`, both checked against a view with no user of db
        StoreAction rm = Batches.remove(k1);
        StoreAction create = Batches.create(service("s1", List.of("k1"), List.of()));
        assertTrue(apply(create).getOk());
        assertFalse(apply(rm).getOk(), "the later one is refused");

        ClusterStore other = new ClusterStore();
        other.apply(1, StoreBatch.newBuilder().addActions(Batches.create(secret("k1", "db"))).build());
        assertTrue(other.apply(2, StoreBatch.newBuilder().addActions(Batches.remove(other.view(tx -> tx.get(ObjectKind.SECRET, "k1")).orElseThrow())).build()).getOk());
        assertEquals("secret k1 does not exist", other.apply(3, StoreBatch.newBuilder().addActions(create).build()).getError(),
                "in the other order too");
    }

    @Test
    void anUpdateIsCheckedOnlyForWhatItNamesAnew() {
        assertTrue(apply(Batches.create(secret("k1", "db")), Batches.create(service("s1", List.of("k1"), List.of()))).getOk());
        StoreObject s1 = stored(ObjectKind.SERVICE, "s1");
        assertTrue(apply(Batches.update(s1)).getOk(), "a service keeping its secret");
        ApplyResult r = apply(Batches.update(service("s1", List.of("k1", "k2"), List.of())));
        assertEquals("secret k2 does not exist", r.getError());
    }
}
