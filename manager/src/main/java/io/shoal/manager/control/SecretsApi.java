package io.shoal.manager.control;

import io.shoal.api.Cluster;
import io.shoal.api.CreateSecretRequest;
import io.shoal.api.GetSecretRequest;
import io.shoal.api.ListSecretsRequest;
import io.shoal.api.ListSecretsResponse;
import io.shoal.api.RemoveSecretRequest;
import io.shoal.api.RemoveSecretResponse;
import io.shoal.api.Secret;
import io.shoal.api.SecretSpec;
import io.shoal.api.raft.StoreAction;
import io.shoal.manager.Ids;
import io.shoal.manager.consensus.Consensus;
import io.shoal.manager.rpc.Calls;
import io.shoal.manager.secrets.SecretCipher;
import io.shoal.manager.store.Batches;
import io.shoal.manager.store.ClusterStore;
import io.shoal.manager.store.ObjectKind;
import io.shoal.manager.store.StoreObjects;
import io.shoal.manager.store.StoreWriter;

import java.util.ArrayList;
import java.util.List;

/**
 * Secrets through the Control API: create (the value sealed with the cluster's data key in the
 * same write), inspect and list (never the value), remove (not while a service names it).
 */
public final class SecretsApi {
    /** swarm mode's limit: a value is 1 byte to 500 KiB (exclusive) */
    static final int MAX_SIZE = 500 * 1024;

    private final ClusterStore store;
    private final StoreWriter writer;
    private final LinearizableReads reads;
    private final SecretCipher cipher;

    public SecretsApi(ClusterStore store, StoreWriter writer, Consensus consensus, SecretCipher cipher) {
        this.store = store;
        this.writer = writer;
        this.reads = new LinearizableReads(store, consensus);
        this.cipher = cipher;
    }

    public Secret createSecret(CreateSecretRequest req) {
        SecretSpec spec = req.getSpec();
        FileObjects.validate(ObjectKind.SECRET, spec.getAnnotations(), spec.getData(), MAX_SIZE);
        String id = Ids.newId();
        writer.update(tx -> {
            FileObjects.requireFreeName(tx, ObjectKind.SECRET, spec.getAnnotations().getName());
            Cluster cluster = tx.cluster().orElseThrow(() -> Calls.precondition("the cluster is not initialized yet"));
            Cluster keyed = cipher.withDataKey(cluster);
            List<StoreAction> actions = new ArrayList<>();
            if (keyed != cluster) {
                actions.add(Batches.update(StoreObjects.wrap(keyed)));
            }
            Secret sealed = Secret.newBuilder().setId(id)
                    .setSpec(spec.toBuilder().setData(cipher.seal(keyed, id, spec.getData()))).build();
            actions.add(Batches.create(StoreObjects.wrap(sealed)));
            return actions;
        });
        return withoutValue(store.view(tx -> tx.get(ObjectKind.SECRET, id)).orElseThrow().getSecret());
    }

    public Secret getSecret(GetSecretRequest req) {
        return withoutValue(reads.read(tx -> ObjectLookup.resolve(tx, ObjectKind.SECRET, req.getSecret())).getSecret());
    }

    public ListSecretsResponse listSecrets(ListSecretsRequest req) {
        return reads.read(tx -> {
            ListSecretsResponse.Builder b = ListSecretsResponse.newBuilder();
            tx.secrets().forEach(s -> b.addSecrets(withoutValue(s)));
            return b.build();
        });
    }

    public RemoveSecretResponse removeSecret(RemoveSecretRequest req) {
        return RemoveSecretResponse.newBuilder()
                .setSecretId(FileObjects.remove(reads, writer, ObjectKind.SECRET, req.getSecret())).build();
    }

    /** What a client sees of a secret: everything but its value (not even sealed). */
    static Secret withoutValue(Secret s) {
        Secret.Builder b = s.toBuilder();
        b.getSpecBuilder().clearData();
        return b.build();
    }
}
