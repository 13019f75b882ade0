import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { IMAGES } from "./images";
import { NO_ESCALATION, SIZES, containerResources, workloadLabels } from "./kube";
import { claimVolume, deployWorkload } from "./workload";
import { NFS_SERVER, WORKLOAD_NAMES } from "../contract/identity";

/** The Kubernetes name of the NFS server Deployment; the policy pack exempts exactly this workload. */
export const NFS_SERVER_NAME = WORKLOAD_NAMES.nfsServer;
export const NFS_PORT = 2049;
/** Capabilities the NFS server adds to the runtime's default set (the policy pack exempts the same, tested by own-policy-pack). */
export const NFS_SERVER_CAPABILITIES = [...NFS_SERVER.capabilities];
/** Files written over the share belong to this user, whoever writes them (editor as root, IDE as 1000). */
export const SHARE_UID = 1000;

/** Where the server finds its configuration and scripts (the ConfigMap). */
export const NFS_CONFIG_DIR = "/etc/ganesha/devkube";
/** The directory the server exports: the workspace disk. */
export const NFS_EXPORT_PATH = "/export";
/**
 * NFSv4 client records for the grace period after a restart. An emptyDir of the pod: it survives a
 * container restart (crash, liveness), stays out of the share, and starts empty in a new pod.
 */
export const NFS_RECOVERY_ROOT = "/var/lib/nfs/ganesha";
/** The server's pid file and run directory, named here so no compiled-in default is needed. */
export const NFS_RUN_DIR = "/run/ganesha";

/**
 * NFS-Ganesha configuration: NFSv4 over TCP only (one port, no rpcbind/mountd/NLM to expose), the export
 * at the pseudo-root "/", every client identity squashed to SHARE_UID so the editor (root), the IDE
 * (uid 1000) and nginx can all read and write each other's files. Short grace period: after a restart,
 * clients on record wait this long before they may open files for writing again. Every path the server
 * writes is named, so it runs the same whatever directories the image was built with.
 */
export function ganeshaConfig(exportPath: string = NFS_EXPORT_PATH): string {
    return `NFS_CORE_PARAM {
    Protocols = 4;
    NFS_Port = ${NFS_PORT};
    Enable_NLM = false;
    Enable_RQUOTA = false;
    Enable_UDP = false;
    # Stable file handles across pod restarts (ganesha#142): no device-based fsid.
    fsid_device = false;
}
NFSV4 {
    Grace_Period = 15;
    Lease_Lifetime = 10;
    Only_Numeric_Owners = true;
    # The image's build puts client records in the export root, where every pod would see them.
    RecoveryRoot = ${NFS_RECOVERY_ROOT};
}
NFS_KRB5 { Active_krb5 = false; }
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
 * One NFSv4.0 COMPOUND (PUTROOTFH, GETFH) as an RPC record over TCP, credential AUTH_SYS uid 0: the
 * smallest request that succeeds only when the export root is really served.
 */
export function servingCheckRequest(): Buffer {
    const words = [
        0x64657631, 0, 2, 100003, 4, 1, // xid "dev1", CALL, RPC v2, NFS program, version 4, COMPOUND
        1, 20, 0, 0, 0, 0, 0, // AUTH_SYS: stamp, empty machine name, uid 0, gid 0, no groups
        0, 0, // verifier AUTH_NONE
        0, 0, 2, 24, 10, // empty tag, minor version 0, two operations: PUTROOTFH, GETFH
    ];
    const record = Buffer.alloc(4 + words.length * 4);
    record.writeUInt32BE((0x80000000 | (words.length * 4)) >>> 0, 0);
    words.forEach((word, i) => record.writeUInt32BE(word, 4 + i * 4));
    return record;
}

/**
 * Ready means serving: a bash script (the image has bash, od and head, no NFS client) that sends
 * servingCheckRequest and reads the reply's accept status and NFS status. Exit 0: served; 1: no
 * answer (not listening yet); 3: the server answered with an error, printed.
 */
export function servingCheckScript(): string {
    const bytes = [...servingCheckRequest()].map((b) => `\\x${b.toString(16).padStart(2, "0")}`).join("");
    return `# Ready means serving: PUTROOTFH + GETFH on the export root must answer NFS4_OK.
{ exec 3<>/dev/tcp/127.0.0.1/${NFS_PORT}; } 2>/dev/null || { echo "nothing listens on ${NFS_PORT} yet"; exit 1; }
printf '${bytes}' >&3
reply=$(timeout 4 head -c 32 <&3 | od -An -v -tx1 | tr -d ' \\n')
[ \${#reply} -eq 64 ] || { echo "no NFS reply on ${NFS_PORT}"; exit 1; }
[ "\${reply:48:16}" = "0000000000000000" ] && exit 0
# NFS4ERR_DELAY and NFS4ERR_GRACE mean "not yet", not a refusal.
case "\${reply:56:8}" in 00002718 | 0000271d) echo "the NFS server asks to retry (status $((16#\${reply:56:8})))"; exit 1 ;; esac
echo "the NFS server answers PUTROOTFH on the export root with status $((16#\${reply:56:8})) (accept status $((16#\${reply:48:8}))): ${NFS_EXPORT_PATH} is not served"
exit 3
`;
}

/** Said when the server listens but cannot serve its export: in its log, its termination message and `npm run up`. */
export const NOT_SERVING_HINT =
    "If the lines above say 'Could not get handle for path " + NFS_EXPORT_PATH + ", error Operation not permitted', the " +
    "container runtime's seccomp profile refuses name_to_handle_at: devkube's NFS server needs containerd 1.6.22 / 1.7.3 or " +
    "newer (or a runtime whose RuntimeDefault profile allows it); see README, Check on a real cluster.";

/**
 * The container's command: start ganesha with its own pid file and run directories, then check that it
 * serves the export; if it cannot, say why (log and /dev/termination-log) and exit, so the pod never
 * turns Ready on a server that only listens. SIGTERM stops ganesha cleanly.
 */
export function startScript(): string {
    return `set -u
mkdir -p ${NFS_RUN_DIR} ${NFS_RECOVERY_ROOT} /run/dbus
# As the image's own entrypoint does; ganesha logs its admin interface and registration quietly with them.
/usr/sbin/rpcbind -w || echo "devkube: rpcbind did not start (NFSv4 does not need it)"
dbus-daemon --system --nopidfile || echo "devkube: dbus did not start (only ganesha's admin interface needs it)"
ganesha.nfsd -F -L /dev/stdout -p ${NFS_RUN_DIR}/ganesha.pid -f ${NFS_CONFIG_DIR}/ganesha.conf &
pid=$!
trap 'kill -TERM "$pid"; wait "$pid"; exit 0' TERM INT
refused=0
for attempt in $(seq 1 60); do
    check=$(bash ${NFS_CONFIG_DIR}/serving.sh); status=$?
    if [ "$status" -eq 0 ]; then
        echo "devkube: NFS server ready: ${NFS_EXPORT_PATH} is served on port ${NFS_PORT}"
        wait "$pid"; code=$?
        echo "devkube: ganesha.nfsd exited with status $code" | tee /dev/termination-log
        exit "$code"
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
        wait "$pid"; code=$?
        echo "devkube: ganesha.nfsd exited with status $code before serving ${NFS_EXPORT_PATH}; its log is above" | tee /dev/termination-log
        exit 1
    fi
    # Five answers in a row that refuse the export root are an answer, not a slow start.
    if [ "$status" -eq 3 ]; then refused=$((refused + 1)); else refused=0; fi
    [ "$refused" -ge 5 ] && break
    sleep 1
done
echo "devkube: $check. ${NOT_SERVING_HINT}" | tee /dev/termination-log
kill -TERM "$pid"; wait "$pid"
exit 1
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
        const exportPath = NFS_EXPORT_PATH;
        const labels = workloadLabels(NFS_SERVER_NAME, "nfs-server");
        const config = new k8s.core.v1.ConfigMap(
            `${name}-config`,
            {
                metadata: { namespace: args.namespace, labels },
                data: { "ganesha.conf": ganeshaConfig(exportPath), "start.sh": startScript(), "serving.sh": servingCheckScript() },
            },
            { parent: this },
        );
        const serving = { exec: { command: ["/bin/bash", `${NFS_CONFIG_DIR}/serving.sh`] }, timeoutSeconds: 5 };
        const { service } = deployWorkload(
            name,
            {
                name: NFS_SERVER_NAME,
                component: "nfs-server",
                namespace: args.namespace,
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
                        command: ["/bin/bash", `${NFS_CONFIG_DIR}/start.sh`],
                        ports: [{ name: "nfs", containerPort: NFS_PORT, protocol: "TCP" }],
                        resources: containerResources(SIZES.nfsServer),
                        securityContext: {
                            ...NO_ESCALATION,
                            // Not privileged. Beyond the runtime's default set NFS-Ganesha needs one capability:
                            // DAC_READ_SEARCH for open_by_handle_at(), how a user-space server turns an NFS file
                            // handle back into a file. Not SYS_RESOURCE: ganesha drops it itself at start
                            // (lower_my_caps), and only raises its open-file soft limit to the hard one.
                            capabilities: { add: NFS_SERVER_CAPABILITIES },
                        },
                        // Why a failed start failed, in `kubectl describe pod` and the pod's status.
                        terminationMessagePolicy: "FallbackToLogsOnError",
                        readinessProbe: { ...serving, initialDelaySeconds: 2, periodSeconds: 5 },
                        livenessProbe: { ...serving, initialDelaySeconds: 30, periodSeconds: 20, failureThreshold: 6 },
                        volumeMounts: [
                            { name: "export", mountPath: exportPath },
                            { name: "config", mountPath: NFS_CONFIG_DIR, readOnly: true },
                            { name: "recovery", mountPath: NFS_RECOVERY_ROOT },
                        ],
                    },
                ],
                volumes: [
                    claimVolume("export", args.claimName),
                    { name: "config", configMap: { name: config.metadata.name } },
                    { name: "recovery", emptyDir: {} },
                ],
            },
            this,
            // A normal ClusterIP Service, never headless: its address is stable for the Service's life.
            { type: "ClusterIP", ports: [{ name: "nfs", port: NFS_PORT, targetPort: NFS_PORT, protocol: "TCP" }] },
        );
        this.clusterIP = service.spec.clusterIP.apply(knownClusterIP);
        this.serviceName = service.metadata.name;
        this.registerOutputs({ clusterIP: this.clusterIP, serviceName: this.serviceName });
    }
}
