// The shape every devkube workload shares: one Deployment, labelled and selected the same way,
// with the pod security defaults; and the Service in front of it.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { POD_SECURITY, SKIP_AWAIT, selectorLabels, workloadLabels } from "./kube";

type Container = k8s.types.input.core.v1.Container;
type Volume = k8s.types.input.core.v1.Volume;

export interface WorkloadSpec {
    /** Kubernetes name of the Deployment and its Service; also app.kubernetes.io/name. */
    readonly name: string;
    /** app.kubernetes.io/component. */
    readonly component: string;
    readonly namespace: pulumi.Input<string>;
    /** Pods to run (default 1). */
    readonly replicas?: number;
    /** Recreate for single-writer workloads: the old pod stops before the new one starts. */
    readonly strategy?: "Recreate" | "RollingUpdate";
    readonly nodeSelector?: Record<string, string>;
    /** For Job pods: OnFailure or Never. */
    readonly restartPolicy?: "OnFailure" | "Never";
    readonly initContainers?: Container[];
    readonly containers: Container[];
    readonly volumes: Volume[];
}

export function podTemplate(spec: WorkloadSpec): k8s.types.input.core.v1.PodTemplateSpec {
    return {
        metadata: { labels: workloadLabels(spec.name, spec.component) },
        spec: {
            securityContext: POD_SECURITY,
            nodeSelector: spec.nodeSelector,
            restartPolicy: spec.restartPolicy,
            initContainers: spec.initContainers,
            containers: spec.containers,
            volumes: spec.volumes,
        },
    };
}

export function deploymentArgs(spec: WorkloadSpec): k8s.apps.v1.DeploymentArgs {
    const labels = workloadLabels(spec.name, spec.component);
    return {
        metadata: { name: spec.name, namespace: spec.namespace, labels },
        spec: {
            replicas: spec.replicas ?? 1,
            strategy: spec.strategy ? { type: spec.strategy } : undefined,
            selector: { matchLabels: selectorLabels(spec.name) },
            template: podTemplate(spec),
        },
    };
}

export function serviceArgs(
    spec: Pick<WorkloadSpec, "name" | "component" | "namespace">,
    type: string,
    ports: k8s.types.input.core.v1.ServicePort[],
): k8s.core.v1.ServiceArgs {
    return {
        metadata: { name: spec.name, namespace: spec.namespace, labels: workloadLabels(spec.name, spec.component) },
        spec: { type, selector: selectorLabels(spec.name), ports },
    };
}

/** The Service in front of a workload: how it is exposed and on which ports. */
export interface Exposure {
    readonly type: string;
    readonly ports: k8s.types.input.core.v1.ServicePort[];
}

/**
 * One workload: its Deployment (`<name>-deployment`) and, when exposed, the Service in front of it
 * (`<name>-service`), which waits for the Deployment so an address is only handed out once pods serve.
 */
export function deployWorkload(name: string, spec: WorkloadSpec, parent: pulumi.Resource): { deployment: k8s.apps.v1.Deployment };
export function deployWorkload(
    name: string,
    spec: WorkloadSpec,
    parent: pulumi.Resource,
    exposure: Exposure,
): { deployment: k8s.apps.v1.Deployment; service: k8s.core.v1.Service };
export function deployWorkload(name: string, spec: WorkloadSpec, parent: pulumi.Resource, exposure?: Exposure) {
    const deployment = new k8s.apps.v1.Deployment(`${name}-deployment`, deploymentArgs(spec), { parent });
    if (!exposure) {
        return { deployment };
    }
    const args = serviceArgs(spec, exposure.type, exposure.ports);
    // pulumi-kubernetes (4.25, provider/pkg/await/service.go) waits 10 s after every endpoints event of a
    // new Service for them to settle: 10 s of every first `up` and every wake, per Service. The Deployment
    // has already awaited ready pods, and a ClusterIP or node port is allocated on create, so that wait
    // proves nothing more; only a LoadBalancer's address comes later, and it is still awaited.
    const service = new k8s.core.v1.Service(
        `${name}-service`,
        exposure.type === "LoadBalancer" ? args : { ...args, metadata: { ...args.metadata, annotations: SKIP_AWAIT } },
        { parent, dependsOn: [deployment] },
    );
    return { deployment, service };
}

/** A volume that mounts a claim (the share, or the workspace disk). */
export function claimVolume(name: string, claimName: pulumi.Input<string>): Volume {
    return { name, persistentVolumeClaim: { claimName } };
}
