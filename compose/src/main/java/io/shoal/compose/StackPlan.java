package io.shoal.compose;

import io.shoal.api.ConfigSpec;
import io.shoal.api.NetworkSpec;
import io.shoal.api.SecretSpec;
import io.shoal.api.ServiceSpec;

import java.util.List;

/**
 * What a stack consists of: the objects to create or update (named {@code STACK_NAME} unless the
 * file gives a name, labelled with the namespace), and the external ones that must exist already.
 *
 * @param namespace        the stack
 * @param networks         networks the stack's services use, to create when missing
 * @param externalNetworks names of external networks the services use
 * @param secrets          every secret the files declare (external ones excepted), with its data
 * @param externalSecrets  names of external secrets the services use
 * @param configs          every config the files declare (external ones excepted), with its data
 * @param externalConfigs  names of external configs the services use
 * @param services         the services, sorted by name
 */
public record StackPlan(Namespace namespace, List<NetworkSpec> networks, List<String> externalNetworks,
                        List<SecretSpec> secrets, List<String> externalSecrets,
                        List<ConfigSpec> configs, List<String> externalConfigs,
                        List<ServiceSpec> services) {
}
