// devkube: config -> target -> environment -> outputs. Pulumi calls the exported function;
// tests call it too, once per stack, under mocks.
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, stackConfig, stackSecrets } from "./config";
import { Environment } from "./components/environment";
import { appDataSources, createTarget, parseConfig } from "./targets";

async function devkube() {
    const secrets = stackSecrets();
    let config;
    let target;
    try {
        config = parseConfig(stackConfig());
        target = await createTarget(config, { stack: pulumi.getStack(), digitalOceanToken: secrets.digitalOceanToken });
    } catch (error) {
        throw error instanceof ConfigError ? refusal(error.message) : error;
    }
    const env = new Environment(
        "devkube",
        {
            namespace: config.namespace,
            size: config.workspaceSize.quantity,
            storage: target.storage,
            nfsMountOptions: config.nfsMountOptions,
            webServiceType: config.webServiceType,
            nodeAddress: target.nodeAddress,
            maxPods: config.maxPods,
            apps: config.apps,
            appSecrets: Object.fromEntries(
                config.apps.map((app) => [
                    app.name,
                    Object.fromEntries(Object.entries(app.secretEnv).map(([variable, key]) => [variable, secrets.secret(key)])),
                ]),
            ),
            appDataSources: appDataSources(target, config.apps),
            idePassword: config.ide ? secrets.idePassword() : undefined,
            ssh: config.ssh.length > 0 ? { keys: config.ssh, host: `devkube-${pulumi.getStack()}` } : undefined,
        },
        { providers: [target.provider] },
    );
    return {
        target: config.target.kind,
        namespace: env.namespace,
        webUrl: env.webAccess,
        webServiceType: env.webServiceType,
        nfsServer: env.nfsServer,
        editorShell: env.editorShell,
        sshPortForward: env.sshPortForward,
        sshConfig: env.sshConfig,
        ideUrl: env.ideAccess,
        apps: env.appAccess,
        connections: env.appConnections,
        workspace: target.workspaceLocation,
        ...target.outputs,
    };
}

/**
 * A RunError prints the message alone. Its stack is dropped before anything reads it: the SDK's error
 * handler formats any error that has a stack (util.inspect, through ts-node's source maps), which took
 * about 20 s and 2.8 GB before a typo in the stack config was answered (npm run bench:refusal).
 */
function refusal(message: string): pulumi.RunError {
    const error = new pulumi.RunError(message);
    error.stack = undefined;
    return error;
}

export = devkube;
