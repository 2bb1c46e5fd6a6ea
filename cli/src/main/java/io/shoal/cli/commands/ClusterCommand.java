package io.shoal.cli.commands;

import io.shoal.api.ClusterInfo;
import io.shoal.api.UpdateClusterRequest;
import io.shoal.cli.output.Units;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Duration;

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

        @Option(names = "--autolock", paramLabel = "true|false", arity = "1", description = "Not supported yet.")
        Boolean autolock;

        @Override
        protected int execute() {
            if (autolock != null) {
                throw usage("--autolock is not supported yet");
            }
            if (certExpiry == null) {
                throw usage("nothing to update: give --cert-expiry");
            }
            Duration d;
            try {
                d = Units.duration(certExpiry);
            } catch (IllegalArgumentException e) {
                throw usage("--cert-expiry: " + e.getMessage());
            }
            if (d.compareTo(Duration.ofMinutes(1)) < 0) {
                throw usage("--cert-expiry " + certExpiry + " is too short: use at least 1m");
            }
            ClusterInfo info = control().updateCluster(UpdateClusterRequest.newBuilder()
                    .setSetCertExpiry(true).setCertExpiryMs(d.toMillis()).build());
            out().printf("Cluster updated: node certificates issued from now on are valid for %s.%n",
                    Duration.ofMillis(info.getSpec().getNodeCertExpiryMs()).toString().substring(2).toLowerCase());
            return 0;
        }
    }
}
