import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { IMAGES } from "./images";
import { NO_ESCALATION, SIZES, containerResources, workloadLabels } from "./kube";
import { claimVolume, deploymentArgs, serviceArgs } from "./workload";

/** The Kubernetes name of the NFS server Deployment; the policy pack exempts exactly this workload. */
export const NFS_SERVER_NAME = "nfs-server";
export const NFS_PORT = 2049;
/** Files written over the share belong to this user, whoever writes them (editor as root, IDE as 1000). */
export const SHARE_UID = 1000;

/**
 * NFS-Ganesha configuration: NFSv4 only (one TCP port, no rpcbind/mountd/NLM to expose), the export
 * at the pseudo-root "/", every client identity squashed to SHARE_UID so the editor (root), the IDE
 * (uid 1000) and nginx can all read and write each other's files. Short grace period: after a restart,
 * clients wait this long before they may write again.
 */
export function ganeshaConfig(exportPath: string): string {
    return `NFS_CORE_PARAM {
    Protocols = 4;
    NFS_Port = ${NFS_PORT};
    Enable_NLM = false;
    Enable_RQUOTA = false;
    # Stable file handles across pod restarts (ganesha#142): no device-based fsid.
    fsid_device = false;
}
NFSV4 {
    Grace_Period = 15;
    Lease_Lifetime = 10;
    Only_Numeric_Owners = true;
}
EXPORT {
    Export_Id = 1;
    Path = ${exportPath};
    Pseudo = /;
    Protocols = 4;
    Transports = TCP;
    Access_Type = RW;
    SecType = sys;
    Squash = All_Squash;
    Anonymous_Uid = ${SHARE_UID};
    Anonymous_Gid = ${SHARE_UID};
    FSAL { Name = VFS; }
}
LOG { Default_Log_Level = WARN; }
`;
}

/**
 * A preview only dry-runs the Service: the API server allocates no ClusterIP and answers "". Passed on,
 * that empty address would make the share PV's dry-run fail ("spec.nfs.server: Required value"), so in a
 * preview it becomes "known after up". A real `up` always gets an address; if not, say so plainly.
 */
export function knownClusterIP(ip: string | undefined): string {
    if (ip && ip !== "None") {
        return ip;
    }
    if (pulumi.runtime.isDryRun()) {
        return pulumi.unknown as unknown as string;
    }
    throw new Error(`the NFS Service has no ClusterIP (got ${JSON.stringify(ip)}); the share cannot be mounted without one`);
}

export interface NfsServerArgs {
    readonly namespace: pulumi.Input<string>;
    /** The claim on the backing disk that is exported. */
    readonly claimName: pulumi.Input<string>;
    /** Pin the server to the node that holds the disk (bare-metal USB disk). */
    readonly node?: string;
}

/**
 * One NFS server pod behind a normal ClusterIP Service. The Service's ClusterIP is the address every
 * mount uses: the kubelet mounts from the node, where cluster DNS names do not resolve, and a ClusterIP
 * (unlike a pod IP, or a headless Service) survives the pod being replaced.
 */
export class NfsServer extends pulumi.ComponentResource {
    /** The address every NFS mount uses. */
    public readonly clusterIP: pulumi.Output<string>;
    public readonly serviceName: pulumi.Output<string>;

    constructor(name: string, args: NfsServerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("devkube:nfs:NfsServer", name, {}, opts);
        const exportPath = "/export";
        const labels = workloadLabels(NFS_SERVER_NAME, "nfs-server");
        const config = new k8s.core.v1.ConfigMap(
            `${name}-config`,
            {
                metadata: { namespace: args.namespace, labels },
                data: { "ganesha.conf": ganeshaConfig(exportPath) },
            },
            { parent: this },
        );
        const workload = { name: NFS_SERVER_NAME, component: "nfs-server", namespace: args.namespace };
        const deployment = new k8s.apps.v1.Deployment(
            `${name}-deployment`,
            deploymentArgs({
                ...workload,
                // Two servers on one ReadWriteOnce disk must never overlap: stop the old pod first.
                strategy: "Recreate",
                nodeSelector: args.node ? { "kubernetes.io/hostname": args.node } : undefined,
                initContainers: [
                    {
                        // The squashed identity must own the export root, or nobody could write to it.
                        name: "own-export",
                        image: IMAGES.nfsServer,
                        command: ["chown", `${SHARE_UID}:${SHARE_UID}`, exportPath],
                        resources: containerResources(SIZES.nfsInit),
                        securityContext: { ...NO_ESCALATION, capabilities: { drop: ["ALL"], add: ["CHOWN"] } },
                        volumeMounts: [{ name: "export", mountPath: exportPath }],
                    },
                ],
                containers: [
                    {
                        name: NFS_SERVER_NAME,
                        image: IMAGES.nfsServer,
                        command: ["/bin/sh", "-c"],
                        args: [
                            // ganesha registers with rpcbind and uses dbus for its admin interface; both
                            // start in the background as the image's own entrypoint does.
                            "mkdir -p /run/dbus /var/run/dbus; " +
                                "/usr/sbin/rpcbind -w || echo 'rpcbind did not start (NFSv4 does not need it)'; " +
                                "dbus-daemon --system --nopidfile || echo 'dbus did not start'; " +
                                "exec ganesha.nfsd -F -L /dev/stdout -f /etc/ganesha/devkube/ganesha.conf",
                        ],
                        ports: [{ name: "nfs", containerPort: NFS_PORT, protocol: "TCP" }],
                        resources: containerResources(SIZES.nfsServer),
                        securityContext: {
                            ...NO_ESCALATION,
                            // Not privileged. NFS-Ganesha needs exactly two capabilities beyond the default
                            // set (the upstream chart grants the same): DAC_READ_SEARCH for open_by_handle_at(),
                            // how a user-space server turns an NFS file handle back into a file; SYS_RESOURCE
                            // to raise its open-file limit.
                            capabilities: { add: ["DAC_READ_SEARCH", "SYS_RESOURCE"] },
                        },
                        readinessProbe: { tcpSocket: { port: NFS_PORT }, initialDelaySeconds: 5, periodSeconds: 10 },
                        livenessProbe: { tcpSocket: { port: NFS_PORT }, initialDelaySeconds: 30, periodSeconds: 20, failureThreshold: 6 },
                        volumeMounts: [
                            { name: "export", mountPath: exportPath },
                            { name: "config", mountPath: "/etc/ganesha/devkube", readOnly: true },
                        ],
                    },
                ],
                volumes: [claimVolume("export", args.claimName), { name: "config", configMap: { name: config.metadata.name } }],
            }),
            { parent: this },
        );
        const service = new k8s.core.v1.Service(
            `${name}-service`,
            // A normal ClusterIP Service, never headless: its address is stable for the Service's life.
            serviceArgs(workload, "ClusterIP", [{ name: "nfs", port: NFS_PORT, targetPort: NFS_PORT, protocol: "TCP" }]),
            { parent: this, dependsOn: [deployment] },
        );
        this.clusterIP = service.spec.clusterIP.apply(knownClusterIP);
        this.serviceName = service.metadata.name;
        this.registerOutputs({ clusterIP: this.clusterIP, serviceName: this.serviceName });
    }
}
