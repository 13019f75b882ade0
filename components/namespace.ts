import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PART_OF, PART_OF_LABEL } from "../contract/identity";
import type { ResourceDemand } from "../config/needs";
import { quantityValue } from "../config/apps";
import { ResourceSizes, SIZES } from "./kube";

export interface EnvironmentNamespaceArgs {
    /** The Kubernetes namespace name (a DNS label). */
    readonly name: string;
    /** How many NodePort services the quota admits (0 keeps the environment off node ports). */
    readonly nodePorts: number;
    /** How many LoadBalancer services the quota admits (each costs money on a cloud). */
    readonly loadBalancers: number;
    /** How many pods the quota admits. */
    readonly maxPods: number;
    /** How many claims the environment makes (workspace, share, apps' own volumes); the quota admits a few more. */
    readonly claims: number;
    /** What the apps ask for at most (cores, bytes); the quota grows past its defaults to fit them. */
    readonly appDemand?: ResourceDemand;
    /**
     * Leave the namespace in the cluster on destroy: it holds claims that every destroy leaves (from a
     * storage class), and deleting the namespace would delete them.
     */
    readonly holdsKeptClaims?: boolean;
}

const GIB = 1024 ** 3;
/** Room for devkube's own containers (NFS server, web, editor, IDE, sshd), each twice during a rolling update. */
const ENVIRONMENT_ROOM = (() => {
    const sum = (pick: (sizes: ResourceSizes) => string) => 2 * Object.values(SIZES).reduce((total, sizes) => total + (quantityValue(pick(sizes)) ?? 0), 0);
    return {
        cpuRequest: sum((s) => s.cpuRequest),
        cpuLimit: sum((s) => s.cpuLimit),
        memoryRequest: sum((s) => s.memoryRequest),
        memoryLimit: sum((s) => s.memoryLimit),
    };
})();

/** Hard ceilings for the whole environment: a runaway build cannot starve the cluster. */
export function quotaFor(args: Pick<EnvironmentNamespaceArgs, "nodePorts" | "loadBalancers" | "maxPods" | "claims" | "appDemand">): Record<string, string> {
    const apps = args.appDemand ?? { cpuRequest: 0, cpuLimit: 0, memoryRequest: 0, memoryLimit: 0 };
    const cores = (need: number, floor: number) => String(Math.max(floor, Math.ceil(need)));
    const gib = (need: number, floor: number) => `${Math.max(floor, Math.ceil(need / GIB))}Gi`;
    return {
        "requests.cpu": cores(apps.cpuRequest + ENVIRONMENT_ROOM.cpuRequest, 4),
        "requests.memory": gib(apps.memoryRequest + ENVIRONMENT_ROOM.memoryRequest, 8),
        "limits.cpu": cores(apps.cpuLimit + ENVIRONMENT_ROOM.cpuLimit, 8),
        "limits.memory": gib(apps.memoryLimit + ENVIRONMENT_ROOM.memoryLimit, 16),
        pods: String(args.maxPods),
        persistentvolumeclaims: String(Math.max(10, args.claims + 4)),
        "services.nodeports": String(args.nodePorts),
        "services.loadbalancers": String(args.loadBalancers),
    };
}

/** A namespace for one environment, with a ResourceQuota and a LimitRange (defaults for containers that omit them). */
export class EnvironmentNamespace extends pulumi.ComponentResource {
    public readonly name: pulumi.Output<string>;

    constructor(name: string, args: EnvironmentNamespaceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("devkube:core:Namespace", name, {}, opts);
        const namespace = new k8s.core.v1.Namespace(
            name,
            { metadata: { name: args.name, labels: { [PART_OF_LABEL]: PART_OF } } },
            { parent: this, retainOnDelete: args.holdsKeptClaims ?? false },
        );
        this.name = namespace.metadata.name;
        new k8s.core.v1.ResourceQuota(
            `${name}-quota`,
            { metadata: { name: "devkube-quota", namespace: this.name }, spec: { hard: quotaFor(args) } },
            { parent: this },
        );
        new k8s.core.v1.LimitRange(
            `${name}-limits`,
            {
                metadata: { name: "devkube-limits", namespace: this.name },
                spec: {
                    limits: [
                        {
                            type: "Container",
                            defaultRequest: { cpu: "100m", memory: "128Mi" },
                            default: { cpu: "500m", memory: "512Mi" },
                            max: { cpu: "2", memory: "2Gi" },
                        },
                    ],
                },
            },
            { parent: this },
        );
        this.registerOutputs({ name: this.name });
    }
}
