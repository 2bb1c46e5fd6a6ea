package io.shoal.cli.commands;

import com.google.protobuf.ByteString;
import io.shoal.api.ClusterSecurityGrpc;
import io.shoal.api.GetClusterInfoRequest;
import io.shoal.api.IssueClientCertificateRequest;
import io.shoal.api.IssueClientCertificateResponse;
import io.shoal.api.RootRotationStatus;
import io.shoal.api.RotateRootCARequest;
import io.shoal.cli.output.Units;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

@Command(name = "ca", mixinStandardHelpOptions = true,
        description = {"Show the cluster's root CA certificate, or rotate the root (docker's swarm ca).",
                "--rotate makes a new root, cross-signed by the current one so that old and new certificates work together "
                        + "meanwhile; every node then renews its certificate under the new root, and once every node that is "
                        + "not Down has, the old root is no longer trusted and the join tokens change. Without --detach it shows "
                        + "progress until the rotation completes (Ctrl-C stops watching; the rotation goes on)."},
        subcommands = {CaCommand.ClientCert.class})
public final class CaCommand extends ClientCommand {
    @Option(names = "--rotate", description = "Rotate the cluster's root CA.")
    boolean rotate;

    @Option(names = {"-d", "--detach"}, description = "With --rotate: return once the rotation started, without waiting for it.")
    boolean detach;

    @Option(names = {"-q", "--quiet"}, description = "With --rotate: no progress lines; print only the new root certificate.")
    boolean quiet;

    @Option(names = "--ca-cert", paramLabel = "FILE", description = "Not supported: Shoal makes the new root itself.")
    String caCert;

    @Option(names = "--ca-key", paramLabel = "FILE", description = "Not supported: Shoal makes the new root itself.")
    String caKey;

    @Option(names = "--external-ca", paramLabel = "SPEC", description = "Not supported: Shoal's managers are the cluster's CA.")
    String externalCa;

    @Override
    protected int execute() throws InterruptedException {
        if (caCert != null || caKey != null || externalCa != null) {
            throw usage("--ca-cert, --ca-key and --external-ca are not supported: shoal ca --rotate makes the new root itself");
        }
        if (!rotate) {
            if (detach || quiet) {
                throw usage("--detach and --quiet go with --rotate");
            }
            out().print(control().getClusterInfo(GetClusterInfoRequest.getDefaultInstance()).getCaCertPem());
            out().flush(); // print does not flush an autoflush PrintWriter
            return 0;
        }
        RootRotationStatus started = security().rotateRootCA(RotateRootCARequest.getDefaultInstance());
        String target = started.getTargetCaDigest();
        if (detach) {
            if (!quiet) {
                out().printf("Root CA rotation started (new root sha256:%s, %d nodes to rotate); 'shoal node ls --format "
                        + "\"{{.Hostname}} {{.TLSStatus}}\"' shows each node.%n", target, started.getTotal());
            }
            return 0;
        }
        return RotationWatch.await(this, target, quiet);
    }

    ClusterSecurityGrpc.ClusterSecurityBlockingStub security() {
        return ClusterSecurityGrpc.newBlockingStub(channel()).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    @Command(name = "client-cert", mixinStandardHelpOptions = true,
            description = "Issue an operator certificate (key.pem, cert.pem, ca.pem in DIR) for administering the cluster "
                    + "from elsewhere: SHOAL_CERT_PATH=DIR shoal -H tcp://MANAGER_IP:4242 ... The key is made here and never sent.")
    static final class ClientCert extends ClientCommand {
        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory to write key.pem, cert.pem and ca.pem to.")
        Path dir;

        @Option(names = "--expiry", paramLabel = "DURATION",
                description = "How long the certificate is valid (default: the cluster's certificate expiry, 90 days unless changed; at least 1m).")
        String expiry;

        @Override
        protected int execute() throws IOException {
            long validityMs = 0;
            if (expiry != null) {
                Duration d;
                try {
                    d = Units.duration(expiry);
                } catch (IllegalArgumentException e) {
                    throw usage("--expiry: " + e.getMessage());
                }
                if (d.compareTo(Duration.ofMinutes(1)) < 0) {
                    throw usage("--expiry " + expiry + " is too short: use at least 1m");
                }
                validityMs = d.toMillis();
            }
            if (Files.exists(dir) && !Files.isDirectory(dir)) {
                throw usage("--out: " + dir + " is not a directory");
            }
            for (String f : new String[] {"key.pem", "cert.pem", "ca.pem"}) {
                if (Files.exists(dir.resolve(f))) {
                    throw new IllegalStateException(dir.resolve(f) + " already exists: give --out an empty or new directory");
                }
            }
            KeyPair kp = newKeyPair();
            IssueClientCertificateResponse r = ClusterSecurityGrpc.newBlockingStub(channel()).withDeadlineAfter(30, TimeUnit.SECONDS)
                    .issueClientCertificate(IssueClientCertificateRequest.newBuilder()
                            .setPublicKey(ByteString.copyFrom(kp.getPublic().getEncoded()))
                            .setValidityMs(validityMs).build());
            Files.createDirectories(dir);
            write(dir.resolve("key.pem"), pem("PRIVATE KEY", kp.getPrivate().getEncoded()));
            write(dir.resolve("cert.pem"), r.getCertPem());
            write(dir.resolve("ca.pem"), r.getCaCertPem());
            out().printf("Operator certificate %s written to %s (valid until %s).%n", r.getOperatorId(), dir.toAbsolutePath(),
                    Instant.ofEpochMilli(r.getNotAfterMs()));
            out().printf("Administer the cluster from any host that reaches a manager with:%n%n    SHOAL_CERT_PATH=%s shoal -H tcp://MANAGER_IP:4242 node ls%n",
                    dir.toAbsolutePath());
            return 0;
        }

        private static KeyPair newKeyPair() {
            try {
                KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
                g.initialize(new ECGenParameterSpec("secp256r1"));
                return g.generateKeyPair();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("cannot make an EC key pair: " + e.getMessage(), e);
            }
        }

        private static String pem(String type, byte[] der) {
            return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                    + "\n-----END " + type + "-----\n";
        }

        /** Readable by its owner only (the key above all); never replaces an existing file. */
        private static void write(Path file, String text) throws IOException {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, text, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
        }
    }
}
