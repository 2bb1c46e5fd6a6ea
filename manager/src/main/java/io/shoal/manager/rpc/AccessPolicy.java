package io.shoal.manager.rpc;

import io.grpc.MethodDescriptor;
import io.grpc.Status;

import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Who may call what: a rule per gRPC service, and per method where a method differs from its
 * service. A call with no rule is refused, so a new service is served to nobody until someone
 * decides who may call it; a new method of a service takes its service's rule.
 */
public final class AccessPolicy {
    private final Map<String, Set<Principal>> services;
    private final Map<String, Set<Principal>> methods;

    private AccessPolicy(Map<String, Set<Principal>> services, Map<String, Set<Principal>> methods) {
        this.services = Map.copyOf(services);
        this.methods = Map.copyOf(methods);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Who may call {@code fullMethodName} (service/method); empty when nobody may. */
    public Set<Principal> allowed(String fullMethodName) {
        Set<Principal> m = methods.get(fullMethodName);
        if (m != null) {
            return m;
        }
        Set<Principal> s = services.get(MethodDescriptor.extractFullServiceName(fullMethodName));
        return s == null ? Set.of() : s;
    }

    /** Whether some rule names {@code fullMethodName} or its service. */
    public boolean covers(String fullMethodName) {
        return methods.containsKey(fullMethodName) || services.containsKey(MethodDescriptor.extractFullServiceName(fullMethodName));
    }

    /** Null when {@code caller} may call {@code fullMethodName}; otherwise the status that refuses the call. */
    public Status check(String fullMethodName, Principal caller) {
        Set<Principal> allowed = allowed(fullMethodName);
        if (allowed.contains(caller)) {
            return null;
        }
        if (!covers(fullMethodName)) {
            return Status.PERMISSION_DENIED.withDescription("permission denied: " + fullMethodName + " has no access rule on this daemon");
        }
        if (caller == Principal.ANONYMOUS) {
            return Status.UNAUTHENTICATED.withDescription("this call needs a certificate of this cluster");
        }
        String hint = allowed.contains(Principal.OPERATOR)
                ? ": administer the cluster on a manager (its unix socket) or with an operator certificate (shoal ca client-cert)"
                : allowed.equals(EnumSet.of(Principal.LOCAL)) ? ": it is served on the daemon's unix socket only" : "";
        return Status.PERMISSION_DENIED.withDescription("permission denied: " + caller.described() + " may not call "
                + fullMethodName + hint);
    }

    public static final class Builder {
        private final Map<String, Set<Principal>> services = new HashMap<>();
        private final Map<String, Set<Principal>> methods = new HashMap<>();

        private Builder() {}

        /** Every method of {@code serviceName} (unless a method rule says otherwise) is open to {@code who}. */
        public Builder service(String serviceName, Principal... who) {
            services.put(serviceName, of(who));
            return this;
        }

        /** {@code fullMethodName} is open to {@code who}, whatever its service's rule says. */
        public Builder method(MethodDescriptor<?, ?> method, Principal... who) {
            methods.put(method.getFullMethodName(), of(who));
            return this;
        }

        private static Set<Principal> of(Principal... who) {
            EnumSet<Principal> s = EnumSet.noneOf(Principal.class);
            s.addAll(Set.of(who));
            return Set.copyOf(s);
        }

        public AccessPolicy build() {
            return new AccessPolicy(services, methods);
        }
    }
}
