package io.shoal.node;

import io.grpc.stub.StreamObserver;
import io.shoal.api.BuildInfo;
import io.shoal.api.VersionGrpc;
import io.shoal.api.VersionInfo;
import io.shoal.api.VersionRequest;
import io.shoal.manager.rpc.Calls;
import io.shoal.manager.store.StoreFormat;

import java.util.function.IntSupplier;

/** {@code Version.Get}: what this daemon runs, for {@code shoal version}; on the unix socket and the cluster port. */
final class VersionService extends VersionGrpc.VersionImplBase {
    private final IntSupplier clusterFormat;

    /** @param clusterFormat the store format the cluster's managers agreed on, 0 where this node knows none */
    VersionService(IntSupplier clusterFormat) {
        this.clusterFormat = clusterFormat;
    }

    static VersionInfo local() {
        return VersionInfo.newBuilder()
                .setVersion(BuildInfo.version())
                .setApiVersion(BuildInfo.API_VERSION)
                .setMinApiVersion(BuildInfo.MIN_API_VERSION)
                .setGitCommit(BuildInfo.commit())
                .setJavaVersion(BuildInfo.javaVersion())
                .setOs(BuildInfo.os())
                .setArch(BuildInfo.arch())
                .setStoreFormat(StoreFormat.CURRENT)
                .build();
    }

    @Override
    public void get(VersionRequest request, StreamObserver<VersionInfo> obs) {
        Calls.unary(obs, () -> local().toBuilder().setClusterStoreFormat(clusterFormat.getAsInt()).build());
    }
}
