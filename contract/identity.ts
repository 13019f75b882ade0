// How devkube, its night scripts and its policy pack recognise what devkube made: labels, their values,
// and the resource type tokens they look for. Imports no package, so the policy pack can use it too.
import { randomBytes } from "crypto";

/** On every PersistentVolume that holds data: which data. */
export const ROLE_LABEL = "devkube.dev/role";
export const ROLES = {
    /** The user's code (the workspace PV; with an existing export, the share itself). */
    workspace: "workspace",
    /** The NFS share every workload mounts. */
    share: "share",
    /** An app's own volume (a database): kept like the workspace. */
    appData: "app-data",
} as const;
export type Role = (typeof ROLES)[keyof typeof ROLES];

/** On every object devkube makes. */
export const PART_OF_LABEL = "app.kubernetes.io/part-of";
export const PART_OF = "devkube";
/** `kubectl get pv -l <this>` finds devkube's PersistentVolumes. */
export const PART_OF_SELECTOR = `${PART_OF_LABEL}=${PART_OF}`;
export const NAME_LABEL = "app.kubernetes.io/name";

/**
 * On every DigitalOcean volume devkube makes: what it holds. Tags are how a volume is recognised (in the
 * state, in the account); names are for people. DigitalOcean tags: letters, digits, ":", "-", "_".
 */
export const VOLUME_TAGS = {
    workspace: "devkube-role:workspace",
    appData: "devkube-role:app-data",
} as const;

/** Whether a DigitalOcean volume's tags say devkube made it (either role). */
export const hasVolumeRole = (tags: readonly string[]): boolean => Object.values(VOLUME_TAGS).some((tag) => tags.includes(tag));

/**
 * On every DigitalOcean volume and cluster of a stack with devkube:doEnvironmentId: whose they are. Names
 * (stack and namespace) can be the same in two checkouts or state backends of one account; this tag is
 * what a destroy's next `up` and delete-everything check before they take or delete a volume.
 */
export const ENVIRONMENT_TAG_PREFIX = "devkube-env:";

/** A new environment id (devkube:doEnvironmentId), as `npm run up` sets it the first time. */
export const newEnvironmentId = (): string => randomBytes(5).toString("hex");
export const environmentTag = (environmentId: string): string => `${ENVIRONMENT_TAG_PREFIX}${environmentId}`;

/** The environment tag among a volume's or cluster's tags, if it has one. */
export const environmentTagOf = (tags: readonly string[]): string | undefined => tags.find((t) => t.startsWith(ENVIRONMENT_TAG_PREFIX));

export const TYPES = {
    doVolume: "digitalocean:index/volume:Volume",
    doCluster: "digitalocean:index/kubernetesCluster:KubernetesCluster",
    persistentVolume: "kubernetes:core/v1:PersistentVolume",
    persistentVolumeClaim: "kubernetes:core/v1:PersistentVolumeClaim",
    namespace: "kubernetes:core/v1:Namespace",
} as const;

/** The claims that hold data, by the names devkube gives them in the stack's namespace. */
export const CLAIM_NAMES = {
    workspace: "workspace",
    appData: (appName: string): string => `${appName}-data`,
} as const;

/**
 * devkube's own directory at the share's root (the sshd's host key): kept, and never touched by npm run
 * sync, which neither sends nor deletes anything in it.
 */
export const SHARE_OWN_DIR = ".devkube";

/** The namespace devkube uses unless a stack sets devkube:namespace. */
export const DEFAULT_NAMESPACE = "devkube";

/**
 * The in-cluster NFS server: the one container with a capability outside the Pod Security baseline
 * (DAC_READ_SEARCH, for name_to_handle_at). The policy pack exempts exactly this, in the stack's namespace.
 */
export const NFS_SERVER = {
    kind: "Deployment",
    name: "nfs-server",
    container: "nfs-server",
    capabilities: ["DAC_READ_SEARCH"],
} as const;

/** devkube's own workloads in the namespace (Deployment and Service names): no app may take one. */
export const WORKLOAD_NAMES = {
    web: "web",
    editor: "editor",
    ide: "ide",
    nfsServer: NFS_SERVER.name,
} as const;

/** The editor's container: `kubectl exec` into it is how people (the editorShell output) and `npm run sync` reach the share. */
export const EDITOR_CONTAINER = "shell";

/** Kubernetes Service types, from the most private; the policy pack allows a stack some of them. */
export const SERVICE_TYPES = ["ClusterIP", "NodePort", "LoadBalancer"] as const;
export type ServiceType = (typeof SERVICE_TYPES)[number];
