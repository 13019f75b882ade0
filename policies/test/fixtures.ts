// Small builders for Kubernetes resource props as the Pulumi Kubernetes provider hands them to policies.
import type { ResourceInput, StackResourceInput } from "./util";

type Obj = Record<string, unknown>;

export const T = {
    pod: "kubernetes:core/v1:Pod",
    deployment: "kubernetes:apps/v1:Deployment",
    statefulSet: "kubernetes:apps/v1:StatefulSet",
    daemonSet: "kubernetes:apps/v1:DaemonSet",
    replicaSet: "kubernetes:apps/v1:ReplicaSet",
    job: "kubernetes:batch/v1:Job",
    cronJob: "kubernetes:batch/v1:CronJob",
    service: "kubernetes:core/v1:Service",
    namespace: "kubernetes:core/v1:Namespace",
    quota: "kubernetes:core/v1:ResourceQuota",
    limitRange: "kubernetes:core/v1:LimitRange",
    pv: "kubernetes:core/v1:PersistentVolume",
    pvc: "kubernetes:core/v1:PersistentVolumeClaim",
    configMap: "kubernetes:core/v1:ConfigMap",
    doVolume: "digitalocean:index/volume:Volume",
    doCluster: "digitalocean:index/kubernetesCluster:KubernetesCluster",
    doProvider: "pulumi:providers:digitalocean",
    k8sProvider: "pulumi:providers:kubernetes",
} as const;

/** A container that passes every rule; `over` replaces top-level fields. */
export function container(name: string, over: Obj = {}): Obj {
    return {
        name,
        image: "nginx:1.27.3",
        resources: {
            requests: { cpu: "100m", memory: "128Mi" },
            limits: { cpu: "400m", memory: "256Mi" },
        },
        readinessProbe: { tcpSocket: { port: 80 } },
        ...over,
        // Good by default; a test that wants it unset passes allowPrivilegeEscalation: undefined.
        securityContext: { allowPrivilegeEscalation: false, ...(over.securityContext as Obj | undefined) },
    };
}

/** `resources` with the given requests and limits. */
export function res(requests: Obj, limits: Obj): Obj {
    return { requests, limits };
}

export interface PodSpecOpts {
    containers?: Obj[];
    initContainers?: Obj[];
    extra?: Obj;
}

function podSpec(o: PodSpecOpts): Obj {
    const spec: Obj = { containers: o.containers ?? [container("main")], ...o.extra };
    if (o.initContainers) {
        spec.initContainers = o.initContainers;
    }
    return spec;
}

export function metadata(name: string, namespace = "devkube", labels: Obj = { "app.kubernetes.io/name": name }): Obj {
    return { name, namespace, labels };
}

export type WorkloadKind = "Pod" | "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "Job" | "CronJob";

const KIND_TYPE: Record<WorkloadKind, string> = {
    Pod: T.pod,
    Deployment: T.deployment,
    StatefulSet: T.statefulSet,
    DaemonSet: T.daemonSet,
    ReplicaSet: T.replicaSet,
    Job: T.job,
    CronJob: T.cronJob,
};

/** A workload of `kind` whose pod spec is built from `o`, at the location that kind uses. */
export function workload(kind: WorkloadKind, name: string, o: PodSpecOpts = {}, meta: Obj = metadata(name)): ResourceInput & StackResourceInput {
    const spec = podSpec(o);
    const tmpl = { metadata: { labels: { app: name } }, spec };
    let props: Obj;
    switch (kind) {
        case "Pod":
            props = { metadata: meta, spec };
            break;
        case "CronJob":
            props = { metadata: meta, spec: { schedule: "0 * * * *", jobTemplate: { spec: { template: tmpl } } } };
            break;
        case "Job":
            props = { metadata: meta, spec: { template: tmpl } };
            break;
        default:
            props = { metadata: meta, spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: tmpl } };
    }
    return { type: KIND_TYPE[kind], props, name };
}

/** The locations every pod-spec rule is tested at. */
export const LOCATIONS: WorkloadKind[] = ["Pod", "Deployment", "CronJob", "StatefulSet", "Job"];

/** Puts `c` in the containers or initContainers list (the other list keeps one good container). */
export function withContainer(kind: WorkloadKind, list: "containers" | "initContainers", c: Obj, name = "app"): ResourceInput & StackResourceInput {
    return list === "containers" ? workload(kind, name, { containers: [c] }) : workload(kind, name, { initContainers: [c] });
}

export const NFS_EXEMPTION = {
    kind: "Deployment",
    namespace: "devkube",
    name: "nfs-server",
    container: "nfs-server",
    capabilities: ["DAC_READ_SEARCH"],
};

/** The NFS server as devkube builds it (capability DAC_READ_SEARCH, not privileged). */
export function nfsServer(name = "nfs-server", namespace = "devkube", caps: string[] = ["DAC_READ_SEARCH"], kind: WorkloadKind = "Deployment", containerName = "nfs-server") {
    return workload(
        kind,
        name,
        {
            containers: [
                container(containerName, {
                    image: "registry.k8s.io/sig-storage/nfs-provisioner:v4.0.8",
                    securityContext: { capabilities: { add: caps } },
                    ports: [{ name: "nfs", containerPort: 2049 }],
                }),
            ],
        },
        metadata(name, namespace),
    );
}

/** A whole devkube-like stack that every policy accepts. */
export function goodStack(): StackResourceInput[] {
    return [
        { type: T.namespace, name: "devkube", props: { metadata: { name: "devkube" } } },
        { type: T.quota, name: "devkube-quota", props: { metadata: { name: "quota", namespace: "devkube" }, spec: { hard: { "limits.cpu": "4" } } } },
        { type: T.limitRange, name: "devkube-limits", props: { metadata: { name: "limits", namespace: "devkube" }, spec: { limits: [] } } },
        nfsServer(),
        {
            type: T.service,
            name: "nfs-server",
            props: { metadata: { name: "nfs-server", namespace: "devkube" }, spec: { type: "ClusterIP", ports: [{ port: 2049 }] } },
        },
        {
            type: T.pv,
            name: "workspace",
            props: {
                metadata: { name: "devkube-workspace", labels: { "devkube.dev/role": "workspace" } },
                spec: { persistentVolumeReclaimPolicy: "Retain", nfs: { server: "10.96.0.10", path: "/" }, accessModes: ["ReadWriteMany"] },
            },
        },
        { type: T.pvc, name: "workspace-claim", props: { metadata: { name: "workspace", namespace: "devkube" }, spec: { accessModes: ["ReadWriteMany"] } } },
        workload("Deployment", "web"),
        workload("Deployment", "editor"),
    ];
}
