import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

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
}

/** Hard ceilings for the whole environment: a runaway build cannot starve the cluster. */
export function quotaFor(args: Pick<EnvironmentNamespaceArgs, "nodePorts" | "loadBalancers" | "maxPods" | "claims">): Record<string, string> {
    return {
        "requests.cpu": "4",
        "requests.memory": "8Gi",
        "limits.cpu": "8",
        "limits.memory": "16Gi",
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
            { metadata: { name: args.name, labels: { "app.kubernetes.io/part-of": "devkube" } } },
            { parent: this },
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
