package io.shoal.manager.store;

import io.shoal.api.Cluster;
import io.shoal.api.Config;
import io.shoal.api.Meta;
import io.shoal.api.Network;
import io.shoal.api.Node;
import io.shoal.api.Secret;
import io.shoal.api.Service;
import io.shoal.api.Task;
import io.shoal.api.raft.StoreObject;

/** Uniform access to the id, meta and name of any stored object. */
public final class StoreObjects {
    private StoreObjects() {}

    public static ObjectKind kind(StoreObject o) {
        return ObjectKind.of(o.getObjectCase());
    }

    public static String id(StoreObject o) {
        return switch (o.getObjectCase()) {
            case NODE -> o.getNode().getId();
            case SERVICE -> o.getService().getId();
            case TASK -> o.getTask().getId();
            case NETWORK -> o.getNetwork().getId();
            case SECRET -> o.getSecret().getId();
            case CONFIG -> o.getConfig().getId();
            case CLUSTER -> o.getCluster().getId();
            case OBJECT_NOT_SET -> "";
        };
    }

    public static Meta meta(StoreObject o) {
        return switch (o.getObjectCase()) {
            case NODE -> o.getNode().getMeta();
            case SERVICE -> o.getService().getMeta();
            case TASK -> o.getTask().getMeta();
            case NETWORK -> o.getNetwork().getMeta();
            case SECRET -> o.getSecret().getMeta();
            case CONFIG -> o.getConfig().getMeta();
            case CLUSTER -> o.getCluster().getMeta();
            case OBJECT_NOT_SET -> Meta.getDefaultInstance();
        };
    }

    /** The user-facing name, empty where the kind has none. */
    public static String name(StoreObject o) {
        return switch (o.getObjectCase()) {
            case NODE -> o.getNode().getSpec().getAnnotations().getName();
            case SERVICE -> o.getService().getSpec().getAnnotations().getName();
            case NETWORK -> o.getNetwork().getSpec().getAnnotations().getName();
            case SECRET -> o.getSecret().getSpec().getAnnotations().getName();
            case CONFIG -> o.getConfig().getSpec().getAnnotations().getName();
            case CLUSTER -> o.getCluster().getSpec().getAnnotations().getName();
            case TASK, OBJECT_NOT_SET -> "";
        };
    }

    public static StoreObject withMeta(StoreObject o, Meta m) {
        return switch (o.getObjectCase()) {
            case NODE -> wrap(o.getNode().toBuilder().setMeta(m).build());
            case SERVICE -> wrap(o.getService().toBuilder().setMeta(m).build());
            case TASK -> wrap(o.getTask().toBuilder().setMeta(m).build());
            case NETWORK -> wrap(o.getNetwork().toBuilder().setMeta(m).build());
            case SECRET -> wrap(o.getSecret().toBuilder().setMeta(m).build());
            case CONFIG -> wrap(o.getConfig().toBuilder().setMeta(m).build());
            case CLUSTER -> wrap(o.getCluster().toBuilder().setMeta(m).build());
            case OBJECT_NOT_SET -> o;
        };
    }

    public static StoreObject wrap(Node n) {
        return StoreObject.newBuilder().setNode(n).build();
    }

    public static StoreObject wrap(Service s) {
        return StoreObject.newBuilder().setService(s).build();
    }

    public static StoreObject wrap(Task t) {
        return StoreObject.newBuilder().setTask(t).build();
    }

    public static StoreObject wrap(Network n) {
        return StoreObject.newBuilder().setNetwork(n).build();
    }

    public static StoreObject wrap(Secret s) {
        return StoreObject.newBuilder().setSecret(s).build();
    }

    public static StoreObject wrap(Config c) {
        return StoreObject.newBuilder().setConfig(c).build();
    }

    public static StoreObject wrap(Cluster c) {
        return StoreObject.newBuilder().setCluster(c).build();
    }
}
