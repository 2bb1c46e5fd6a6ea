package io.shoal.node;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.random.RandomGenerator;

/**
 * When a node renews its certificate (docker's rule): at a uniformly random point between 50% and
 * 80% of the certificate's lifetime after its notBefore, so that the nodes of a cluster made at
 * the same moment do not all come to the CA at once; and, after a failed attempt, again after a
 * backoff that doubles from one second up to a twentieth of the lifetime (at most 5 minutes), so
 * that several retries fit before the certificate expires.
 */
final class RenewalSchedule {
    static final double EARLIEST = 0.5;
    static final double LATEST = 0.8;
    static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    static final Duration MAX_BACKOFF = Duration.ofMinutes(5);

    private RenewalSchedule() {}

    /** A certificate's validity window. */
    record Validity(Instant notBefore, Instant notAfter) {
        static Validity of(X509Certificate cert) {
            return new Validity(cert.getNotBefore().toInstant(), cert.getNotAfter().toInstant());
        }

        Duration lifetime() {
            Duration d = Duration.between(notBefore, notAfter);
            return d.isNegative() ? Duration.ZERO : d;
        }
    }

    /** The moment to renew a certificate valid for {@code v}: uniformly in [50%, 80%] of its lifetime. */
    static Instant renewAt(Validity v, RandomGenerator random) {
        double fraction = EARLIEST + (LATEST - EARLIEST) * random.nextDouble();
        long nanos = (long) (v.lifetime().toNanos() * fraction);
        return v.notBefore().plusNanos(nanos);
    }

    /** How long from {@code now} until {@code at}; zero when it is past (renew now). */
    static Duration until(Instant now, Instant at) {
        Duration d = Duration.between(now, at);
        return d.isNegative() ? Duration.ZERO : d;
    }

    /** The wait before retry number {@code failures} (1 after the first failure). */
    static Duration backoff(int failures, Validity v) {
        Duration cap = v.lifetime().dividedBy(20);
        if (cap.compareTo(MAX_BACKOFF) > 0) {
            cap = MAX_BACKOFF;
        }
        if (cap.compareTo(FIRST_BACKOFF) < 0) {
            cap = FIRST_BACKOFF;
        }
        int shift = Math.min(Math.max(0, failures - 1), 30);
        Duration d = FIRST_BACKOFF.multipliedBy(1L << shift);
        return d.compareTo(cap) > 0 ? cap : d;
    }
}
