package io.shoal.cli.client;

import io.grpc.Channel;
import picocli.CommandLine;

import javax.net.ssl.SSLException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;

/**
 * The CLI's channel to a daemon: {@code unix:///path} (plaintext, guarded by file permissions) or
 * {@code tcp://IP:PORT} (mutual TLS with ca.pem, cert.pem and key.pem from {@code SHOAL_CERT_PATH}).
 *
 * <p>Over unix://, unary calls take the {@link LightChannel} (no Netty, no grpc-core) and only
 * streaming calls make grpc-java's Netty channel, on first use; tcp:// is grpc-java's channel
 * throughout (docs/operations.md, "A fast CLI").
 */
public final class Connection implements AutoCloseable {
    private final String host;
    private final Channel channel;
    private final LightChannel light;
    private NettyTransport netty;

    private Connection(String host, LightChannel light, NettyTransport netty) {
        this.host = host;
        this.light = light;
        this.netty = netty;
        this.channel = light != null ? light : netty.channel();
    }

    public static Connection open(String host, CommandLine cmd) {
        if (host.startsWith("unix://")) {
            String path = host.substring("unix://".length());
            if (path.isEmpty()) {
                throw new CommandLine.ParameterException(cmd, "--host: '" + host + "' names no socket path");
            }
            Connection[] self = new Connection[1];
            LightChannel light = new LightChannel(Path.of(path), () -> self[0].streaming(Path.of(path)));
            self[0] = new Connection(host, light, null);
            return self[0];
        }
        if (host.startsWith("tcp://")) {
            String addr = host.substring("tcp://".length());
            if (!addr.matches("[^:/\\s]+:\\d{1,5}") && !addr.matches("\\[[0-9a-fA-F:.]+]:\\d{1,5}")) {
                throw new CommandLine.ParameterException(cmd, "--host: '" + host + "' is not tcp://IP:PORT");
            }
            String certPath = System.getenv("SHOAL_CERT_PATH");
            if (certPath == null || certPath.isBlank()) {
                throw new CommandLine.ParameterException(cmd,
                        "--host tcp:// needs SHOAL_CERT_PATH: a directory with ca.pem, cert.pem and key.pem");
            }
            Path dir = Path.of(certPath);
            for (String f : new String[] {"ca.pem", "cert.pem", "key.pem"}) {
                if (!Files.isReadable(dir.resolve(f))) {
                    throw new CommandLine.ParameterException(cmd, "SHOAL_CERT_PATH: " + dir.resolve(f) + " is missing");
                }
            }
            refuseExpired(cmd, dir.resolve("cert.pem"));
            try {
                return new Connection(host, null, NettyTransport.tls(addr, dir));
            } catch (SSLException | IllegalArgumentException e) {
                throw new CommandLine.ParameterException(cmd, "SHOAL_CERT_PATH: cannot load the TLS files: " + e.getMessage());
            }
        }
        throw new CommandLine.ParameterException(cmd, "--host: '" + host + "' must be unix:///path or tcp://IP:PORT");
    }

    private synchronized Channel streaming(Path socket) {
        if (netty == null) {
            netty = NettyTransport.unix(socket);
        }
        return netty.channel();
    }
    /** An expired certificate gets one line here rather than a failed handshake with the manager. */
    private static void refuseExpired(CommandLine cmd, Path certFile) {
        X509Certificate cert;
        try (InputStream in = Files.newInputStream(certFile)) {
            cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (IOException | CertificateException | ClassCastException e) {
            throw new CommandLine.ParameterException(cmd, "SHOAL_CERT_PATH: " + certFile + " is not a PEM certificate");
        }
        Instant notAfter = cert.getNotAfter().toInstant();
        if (Instant.now().isAfter(notAfter)) {
            throw new CommandLine.ParameterException(cmd, "SHOAL_CERT_PATH: " + certFile + " expired at " + notAfter
                    + ": get a new one with 'shoal ca client-cert' on a manager");
        }
    }

    public String host() {
        return host;
    }

    public Channel channel() {
        return channel;
    }

    @Override
    public void close() {
        if (light != null) {
            light.close();
        }
        NettyTransport n;
        synchronized (this) {
            n = netty;
        }
        if (n != null) {
            n.close();
        }
    }
}
