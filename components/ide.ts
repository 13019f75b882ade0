import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { serviceAccess } from "./access";
import { IMAGES } from "./images";
import { NO_ESCALATION, SIZES, WORKSPACE_MOUNT, containerResources, workloadLabels } from "./kube";
import { claimVolume, deployWorkload } from "./workload";
import { WORKLOAD_NAMES } from "../contract/identity";

export const IDE_NAME = WORKLOAD_NAMES.ide;
const IDE_PORT = 8080;

export interface IdeArgs {
    readonly namespace: pulumi.Input<string>;
    readonly shareClaimName: pulumi.Input<string>;
    /** A Pulumi secret; it reaches the pod only through a Kubernetes Secret. */
    readonly password: pulumi.Input<string>;
}

/**
 * code-server (VS Code in a browser) on the same share, so a tablet with a browser is enough.
 * Always a ClusterIP Service: it is a shell on your code, so it is reached by port-forward, never exposed.
 */
export class Ide extends pulumi.ComponentResource {
    public readonly access: pulumi.Output<string>;

    constructor(name: string, args: IdeArgs, opts?: pulumi.ComponentResourceOptions) {
        super("devkube:apps:Ide", name, {}, opts);
        const labels = workloadLabels(IDE_NAME, "ide");
        const secret = new k8s.core.v1.Secret(
            `${name}-password`,
            { metadata: { namespace: args.namespace, labels }, stringData: { PASSWORD: pulumi.secret(args.password) } },
            { parent: this },
        );
        const { service } = deployWorkload(
            name,
            {
                name: IDE_NAME,
                component: "ide",
                namespace: args.namespace,
                // One code-server per user-data directory.
                strategy: "Recreate",
                containers: [
                    {
                        name: "code-server",
                        image: IMAGES.ide,
                        args: ["--bind-addr", `0.0.0.0:${IDE_PORT}`, "--auth", "password", WORKSPACE_MOUNT],
                        env: [{ name: "PASSWORD", valueFrom: { secretKeyRef: { name: secret.metadata.name, key: "PASSWORD" } } }],
                        ports: [{ name: "http", containerPort: IDE_PORT }],
                        resources: containerResources(SIZES.ide),
                        securityContext: NO_ESCALATION,
                        readinessProbe: { httpGet: { path: "/healthz", port: IDE_PORT }, periodSeconds: 10 },
                        livenessProbe: { httpGet: { path: "/healthz", port: IDE_PORT }, initialDelaySeconds: 30, periodSeconds: 30 },
                        volumeMounts: [{ name: "share", mountPath: WORKSPACE_MOUNT }],
                    },
                ],
                volumes: [claimVolume("share", args.shareClaimName)],
            },
            this,
            { type: "ClusterIP", ports: [{ name: "http", port: IDE_PORT }] },
        );
        this.access = serviceAccess(service, { type: "ClusterIP", port: IDE_PORT, nodeAddress: "", localPort: IDE_PORT });
        this.registerOutputs({ access: this.access });
    }
}
