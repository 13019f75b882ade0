import * as pulumi from "@pulumi/pulumi";
import { IMAGES } from "./images";
import { CACHE_ENV, NO_ESCALATION, SIZES, WORKSPACE_MOUNT, containerResources, workloadLabels } from "./kube";
import { SshArgs, sshAccess, sshSidecar } from "./ssh";
import { claimVolume, deployWorkload } from "./workload";
import { EDITOR_CONTAINER, WORKLOAD_NAMES } from "../contract/identity";

export const EDITOR_NAME = WORKLOAD_NAMES.editor;

export interface EditorArgs {
    readonly namespace: pulumi.Input<string>;
    readonly shareClaimName: pulumi.Input<string>;
    /** The sshd beside the shell; none: no sshd. */
    readonly ssh?: SshArgs;
}

const SSH_DISABLED = `disabled: pulumi config set --path 'devkube:ssh[0]' "$(cat ~/.ssh/id_ed25519.pub)"`;

/** A shell with the share mounted at /workspace: `kubectl exec` in, edit, reload the page. */
export class Editor extends pulumi.ComponentResource {
    /** The exact command that opens a shell in the editor. */
    public readonly shellCommand: pulumi.Output<string>;
    /** The port-forward that reaches the sshd, or how to turn it on. */
    public readonly sshPortForward: pulumi.Output<string>;
    /** The ~/.ssh/config entry that goes with the port-forward. */
    public readonly sshConfig: pulumi.Output<string>;

    constructor(name: string, args: EditorArgs, opts?: pulumi.ComponentResourceOptions) {
        super("devkube:apps:Editor", name, {}, opts);
        const ssh = args.ssh && sshSidecar(name, args.namespace, args.ssh.keys, workloadLabels(EDITOR_NAME, "editor"), this);
        const { deployment } = deployWorkload(
            name,
            {
                name: EDITOR_NAME,
                component: "editor",
                namespace: args.namespace,
                containers: [
                    {
                        name: EDITOR_CONTAINER,
                        image: IMAGES.editor,
                        // Stay up, and stop at once on SIGTERM instead of waiting out the grace period.
                        command: ["/bin/sh", "-c", "trap 'exit 0' TERM INT; while true; do sleep 3600 & wait $!; done"],
                        workingDir: WORKSPACE_MOUNT,
                        env: CACHE_ENV,
                        resources: containerResources(SIZES.editor),
                        securityContext: NO_ESCALATION,
                        // Ready only while the share answers: a hung mount shows up in `kubectl get pods`.
                        readinessProbe: {
                            exec: { command: ["/bin/sh", "-c", `test -d ${WORKSPACE_MOUNT}`] },
                            periodSeconds: 20,
                            timeoutSeconds: 5,
                        },
                        livenessProbe: { exec: { command: ["/bin/sh", "-c", "true"] }, periodSeconds: 30 },
                        volumeMounts: [{ name: "share", mountPath: WORKSPACE_MOUNT }],
                    },
                    ...(ssh ? [ssh.container] : []),
                ],
                volumes: [claimVolume("share", args.shareClaimName), ...(ssh ? [ssh.volume] : [])],
            },
            this,
        );
        this.shellCommand = pulumi.interpolate`kubectl -n ${deployment.metadata.namespace} exec -it deploy/${deployment.metadata.name} -c ${EDITOR_CONTAINER} -- sh`;
        const host = args.ssh?.host;
        const access = pulumi
            .all([deployment.metadata.namespace, deployment.metadata.name])
            .apply(([namespace, deploymentName]) => (host ? sshAccess(namespace, deploymentName, host) : { portForward: SSH_DISABLED, config: SSH_DISABLED }));
        this.sshPortForward = access.portForward;
        this.sshConfig = access.config;
        this.registerOutputs({ shellCommand: this.shellCommand, sshPortForward: this.sshPortForward, sshConfig: this.sshConfig });
    }
}
