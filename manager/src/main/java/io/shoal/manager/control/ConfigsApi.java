package io.shoal.manager.control;

import io.shoal.api.Config;
import io.shoal.api.ConfigSpec;
import io.shoal.api.CreateConfigRequest;
import io.shoal.api.GetConfigRequest;
import io.shoal.api.ListConfigsRequest;
import io.shoal.api.ListConfigsResponse;
import io.shoal.api.RemoveConfigRequest;
import io.shoal.api.RemoveConfigResponse;
import io.shoal.manager.Ids;
import io.shoal.manager.consensus.Consensus;
import io.shoal.manager.store.Batches;
import io.shoal.manager.store.ClusterStore;
import io.shoal.manager.store.ObjectKind;
import io.shoal.manager.store.StoreObjects;
import io.shoal.manager.store.StoreWriter;

import java.util.List;

/**
 * Configs through the Control API: create, inspect and list (with their content: configs are not
 * secret, as in swarm mode), remove (not while a service names it).
 */
public final class ConfigsApi {
    /** swarm mode's limit: a config is 1 byte to 1000 KiB (exclusive) */
    static final int MAX_SIZE = 1000 * 1024;

    private final ClusterStore store;
    private final StoreWriter writer;
    private final LinearizableReads reads;

    public ConfigsApi(ClusterStore store, StoreWriter writer, Consensus consensus) {
        this.store = store;
        this.writer = writer;
        this.reads = new LinearizableReads(store, consensus);
    }

    public Config createConfig(CreateConfigRequest req) {
        ConfigSpec spec = req.getSpec();
        FileObjects.validate(ObjectKind.CONFIG, spec.getAnnotations(), spec.getData(), MAX_SIZE);
        String id = Ids.newId();
        writer.update(tx -> {
            FileObjects.requireFreeName(tx, ObjectKind.CONFIG, spec.getAnnotations().getName());
            return List.of(Batches.create(StoreObjects.wrap(Config.newBuilder().setId(id).setSpec(spec).build())));
        });
        return store.view(tx -> tx.get(ObjectKind.CONFIG, id)).orElseThrow().getConfig();
    }

    public Config getConfig(GetConfigRequest req) {
        return reads.read(tx -> ObjectLookup.resolve(tx, ObjectKind.CONFIG, req.getConfig())).getConfig();
    }

    public ListConfigsResponse listConfigs(ListConfigsRequest req) {
        return reads.read(tx -> ListConfigsResponse.newBuilder().addAllConfigs(tx.configs()).build());
    }

    public RemoveConfigResponse removeConfig(RemoveConfigRequest req) {
        return RemoveConfigResponse.newBuilder()
                .setConfigId(FileObjects.remove(reads, writer, ObjectKind.CONFIG, req.getConfig())).build();
    }
}
