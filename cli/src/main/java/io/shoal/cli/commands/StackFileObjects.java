package io.shoal.cli.commands;

import io.shoal.api.Config;
import io.shoal.api.ConfigSpec;
import io.shoal.api.ControlGrpc;
import io.shoal.api.CreateConfigRequest;
import io.shoal.api.CreateSecretRequest;
import io.shoal.api.ListConfigsRequest;
import io.shoal.api.ListSecretsRequest;
import io.shoal.api.RemoveConfigRequest;
import io.shoal.api.RemoveSecretRequest;
import io.shoal.api.Secret;
import io.shoal.api.SecretSpec;
import io.shoal.compose.Namespace;
import io.shoal.compose.StackPlan;

import java.io.PrintWriter;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * A stack's secrets and configs against those the cluster holds. Swarm mode's secrets and configs
 * cannot change once made, so a deployment creates the missing ones and keeps those of the stack
 * that exist; one of another stack's (or of none) is refused, as is a config of the stack whose
 * content the files changed (Docker's "only updates to Labels are allowed"), before anything
 * changes. A secret's value never comes back from the managers, so a changed secret file cannot be
 * noticed: the secret made first stays (docs/stacks.md). External ones must exist and are never
 * removed: they carry no stack label.
 */
final class StackFileObjects {
    private final ControlGrpc.ControlBlockingStub control;
    private final Map<String, Secret> secrets = new TreeMap<>();
    private final Map<String, Config> configs = new TreeMap<>();

    StackFileObjects(ControlGrpc.ControlBlockingStub control) {
        this.control = control;
        control.listSecrets(ListSecretsRequest.getDefaultInstance()).getSecretsList()
                .forEach(s -> secrets.put(s.getSpec().getAnnotations().getName(), s));
        control.listConfigs(ListConfigsRequest.getDefaultInstance()).getConfigsList()
                .forEach(c -> configs.put(c.getSpec().getAnnotations().getName(), c));
    }

    /** Refuses, before anything changes, what the managers would refuse half-way. */
    void check(StackPlan plan, String stack) {
        for (String n : plan.externalSecrets()) {
            if (!secrets.containsKey(n)) {
                throw new IllegalStateException("secret \"" + n + "\" is declared as external, but could not be found. "
                        + "Create it (shoal secret create) before the stack is deployed");
            }
        }
        for (String n : plan.externalConfigs()) {
            if (!configs.containsKey(n)) {
                throw new IllegalStateException("config \"" + n + "\" is declared as external, but could not be found. "
                        + "Create it (shoal config create) before the stack is deployed");
            }
        }
        for (SecretSpec s : plan.secrets()) {
            Secret have = secrets.get(s.getAnnotations().getName());
            if (have != null && !stack.equals(have.getSpec().getAnnotations().getLabelsMap().get(Namespace.LABEL))) {
                throw outside("secret", s.getAnnotations().getName(), stack);
            }
        }
        for (ConfigSpec c : plan.configs()) {
            Config have = configs.get(c.getAnnotations().getName());
            if (have == null) {
                continue;
            }
            if (!stack.equals(have.getSpec().getAnnotations().getLabelsMap().get(Namespace.LABEL))) {
                throw outside("config", c.getAnnotations().getName(), stack);
            }
            if (!have.getSpec().getData().equals(c.getData())) {
                throw new IllegalStateException("config " + c.getAnnotations().getName() + " exists with another content, and a config "
                        + "cannot change (only its labels could): give the new content a new name");
            }
        }
    }

    private static IllegalStateException outside(String kind, String name, String stack) {
        return new IllegalStateException(kind + " " + name + " exists outside stack " + stack + " (declare it external: true to use it)");
    }

    /** Creates the stack's missing secrets and configs; {@code undo} gets their removal. */
    void create(StackPlan plan, PrintWriter out, Deque<Runnable> undo) {
        for (SecretSpec s : plan.secrets()) {
            if (!secrets.containsKey(s.getAnnotations().getName())) {
                out.println("Creating secret " + s.getAnnotations().getName());
                Secret made = control.createSecret(CreateSecretRequest.newBuilder().setSpec(s).build());
                undo.push(() -> control.removeSecret(RemoveSecretRequest.newBuilder().setSecret(made.getId()).build()));
            }
        }
        for (ConfigSpec c : plan.configs()) {
            if (!configs.containsKey(c.getAnnotations().getName())) {
                out.println("Creating config " + c.getAnnotations().getName());
                Config made = control.createConfig(CreateConfigRequest.newBuilder().setSpec(c).build());
                undo.push(() -> control.removeConfig(RemoveConfigRequest.newBuilder().setConfig(made.getId()).build()));
            }
        }
    }

    /** True if the stack has a secret or a config. */
    boolean any(String stack) {
        return !ofStack(secrets, stack, s -> s.getSpec().getAnnotations().getLabelsMap()).isEmpty()
                || !ofStack(configs, stack, c -> c.getSpec().getAnnotations().getLabelsMap()).isEmpty();
    }

    /** Removes the stack's secrets, then its configs, by name order (after its services: a used one cannot go). */
    void remove(String stack, PrintWriter out) {
        for (Secret s : ofStack(secrets, stack, x -> x.getSpec().getAnnotations().getLabelsMap())) {
            out.println("Removing secret " + s.getSpec().getAnnotations().getName());
            control.removeSecret(RemoveSecretRequest.newBuilder().setSecret(s.getId()).build());
        }
        for (Config c : ofStack(configs, stack, x -> x.getSpec().getAnnotations().getLabelsMap())) {
            out.println("Removing config " + c.getSpec().getAnnotations().getName());
            control.removeConfig(RemoveConfigRequest.newBuilder().setConfig(c.getId()).build());
        }
    }

    private static <T> List<T> ofStack(Map<String, T> all, String stack, Function<T, Map<String, String>> labels) {
        return all.values().stream().filter(x -> stack.equals(labels.apply(x).get(Namespace.LABEL))).toList();
    }
}
