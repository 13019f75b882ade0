import * as pulumi from "@pulumi/pulumi";
import { IMAGES } from "./images";
import { CACHE_ENV, NO_ESCALATION, SIZES, WORKSPACE_MOUNT, containerResources } from "./kube";
import { claimVolume, deployWorkload } from "./workload";
import { EDITOR_CONTAINER, WORKLOAD_NAMES } from "../contract/identity";

export const EDITOR_NAME = WORKLOAD_NAMES.editor;

export interface EditorArgs {
    readonly namespace: pulumi.Input<string>;
    readonly shareClaimName: pulumi.Input<string>;
}

/** A shell with the share mounted at /workspace: `kubectl exec` in, edit, reload the page. */
export class Editor extends pulumi.ComponentResource {
    /** The exact command that opens a shell in the editor. */
    public readonly shellCommand: pulumi.Output<string>;

    constructor(name: string, args: EditorArgs, opts?: pulumi.ComponentResourceOptions) {
        super("devkube:apps:Editor", name, {}, opts);
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
                ],
                volumes: [claimVolume("share", args.shareClaimName)],
            },
            this,
        );
        this.shellCommand = pulumi.interpolate`kubectl -n ${deployment.metadata.namespace} exec -it deploy/${deployment.metadata.name} -- sh`;
        this.registerOutputs({ shellCommand: this.shellCommand });
    }
}
