package io.shoal.cli.commands;

import io.shoal.api.ClusterInfo;
import io.shoal.api.ClusterSecurityGrpc;
import io.shoal.api.GetUnlockKeyRequest;
import io.shoal.api.UpdateClusterRequest;
import io.shoal.cli.output.Units;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** {@code shoal cluster}: the cluster's settings (docker's {@code swarm update}). */
@Command(name = "cluster", mixinStandardHelpOptions = true, description = "Manage the cluster's settings.",
        subcommands = {ClusterCommand.Update.class})
public final class ClusterCommand extends ClientCommand {
    @Override
    protected int execute() {
        throw usage("a cluster command is required (update)");
    }

    @Command(name = "update", mixinStandardHelpOptions = true,
            description = "Change the cluster's settings (docker's 'swarm update'). Certificates issued from now on "
                    + "(nodes renew theirs between 50% and 80% of their lifetime) use the new expiry.")
    static final class Update extends ClientCommand {
        @Option(names = "--cert-expiry", paramLabel = "DURATION",
                description = "How long node certificates are valid, e.g. 2160h (90 days, the default) or 24h; at least 1m.")
        String certExpiry;

        @Option(names = "--autolock", paramLabel = "true|false", arity = "1",
                description = "Lock the managers' key-encryption key under an unlock key (true, which prints the key) or keep it plain (false).")
        String autolock;

        @Option(names = "--network-key-rotation", paramLabel = "DURATION",
                description = "How often encrypted networks' keys are rotated, e.g. 12h (the default, as docker's fixed period); at least 5s.")
        String keyRotation;

        @Override
        protected int execute() {
            if (certExpiry == null && autolock == null && keyRotation == null) {
                throw usage("nothing to update: give --cert-expiry, --autolock or --network-key-rotation");
            }
            if (autolock != null && !autolock.equals("true") && !autolock.equals("false")) {
                throw usage("--autolock: '" + autolock + "' is not true or false");
            }
            UpdateClusterRequest.Builder req = UpdateClusterRequest.newBuilder();
            if (certExpiry != null) {
                Duration d;
                try {
                    d = Units.duration(certExpiry);
                } catch (IllegalArgumentException e) {
                    throw usage("--cert-expiry: " + e.getMessage());
                }
                if (d.compareTo(Duration.ofMinutes(1)) < 0) {
                    throw usage("--cert-expiry " + certExpiry + " is too short: use at least 1m");
                }
                req.setSetCertExpiry(true).setCertExpiryMs(d.toMillis());
            }
            if (keyRotation != null) {
                Duration d;
                try {
                    d = Units.duration(keyRotation);
                } catch (IllegalArgumentException e) {
                    throw usage("--network-key-rotation: " + e.getMessage());
                }
                if (d.compareTo(Duration.ofSeconds(5)) < 0) {
                    throw usage("--network-key-rotation " + keyRotation + " is too short: use at least 5s");
                }
                req.setSetNetworkKeyRotation(true).setNetworkKeyRotationMs(d.toMillis());
            }
            if (autolock != null) {
                req.setSetAutolock(true).setAutolock(Boolean.parseBoolean(autolock));
            }
            ClusterInfo info = control().updateCluster(req.build());
            if (certExpiry != null) {
                out().printf("Cluster updated: node certificates issued from now on are valid for %s.%n",
                        Duration.ofMillis(info.getSpec().getNodeCertExpiryMs()).toString().substring(2).toLowerCase());
            }
            if (keyRotation != null) {
                out().printf("Cluster updated: encrypted networks' keys are rotated every %s.%n",
                        Duration.ofMillis(info.getSpec().getNetworkKeyRotationMs()).toString().substring(2).toLowerCase());
            }
            if (autolock != null && !info.getSpec().getAutolock()) {
                out().printf("Cluster updated: autolock is off; managers keep their key-encryption key plain on disk.%n");
            } else if (autolock != null) {
                out().printf("Cluster updated: autolock is on.%n%n");
                UnlockKeyCommand.print(out(), ClusterSecurityGrpc.newBlockingStub(channel()).withDeadlineAfter(30, TimeUnit.SECONDS)
                        .getUnlockKey(GetUnlockKeyRequest.getDefaultInstance()).getUnlockKey());
            }
            return 0;
        }
    }
}
