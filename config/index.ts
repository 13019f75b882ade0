// Typed, validated stack configuration. Everything here is a pure function of the raw
// config strings, so each rule is unit-tested without Pulumi; index.ts feeds it the real config.
import * as pulumi from "@pulumi/pulumi";
import * as pulumiRuntimeConfig from "@pulumi/pulumi/runtime/config";
import { AwakeSchedule, isTimeZone, parseSchedule } from "./schedule";
import { AppSpec, appVolumeProblems, parseApps, podsAtOnce } from "./apps";
import { ConfigError, DNS_LABEL, Size, closest, isAbsolutePath, parseSize, show } from "./common";
import { PRESETS, defaultPasswordKey } from "./presets";
import { DEFAULT_NAMESPACE, SERVICE_TYPES } from "../contract/identity";
import type { ServiceType } from "../contract/identity";

export { ConfigError, Size, parseSize };

export const TARGETS = ["digitalocean", "minikube", "baremetal"] as const;
export type TargetName = (typeof TARGETS)[number];

export { SERVICE_TYPES };
export type { ServiceType };

export const BAREMETAL_MODES = ["local-disk", "existing-export"] as const;
export type BaremetalMode = (typeof BAREMETAL_MODES)[number];

/** Directories minikube keeps across `minikube stop/start` (minikube docs, persistent volumes). */
export const MINIKUBE_PERSISTENT_DIRS = ["/data", "/var/lib/minikube", "/tmp/hostpath_pv", "/tmp/hostpath-provisioner"];

/**
 * The defaults, one place. Pulumi.yaml declares the same defaults for `pulumi config` users;
 * a test keeps the two in step.
 */
export const DEFAULTS = {
    target: "minikube",
    namespace: DEFAULT_NAMESPACE,
    workspaceSize: "10Gi",
    webServiceType: "",
    nfsMountOptions: ["nfsvers=4.1", "hard", "actimeo=1", "lookupcache=positive"],
    ide: false,
    maxPods: 40,
    apps: [] as unknown[],
    kubeContext: "",
    doRegion: "fra1",
    doNodeSize: "s-2vcpu-4gb",
    doNodeCount: 2,
    doKubernetesVersion: "",
    awakeSchedule: "mon-fri 08:00-19:00",
    timeZone: "Etc/UTC",
    doSnapshotsToKeep: 0,
    doVolumeSnapshotId: "",
    minikubeHostPath: "/data/devkube",
    baremetalMode: "local-disk",
    storageNode: "",
    diskPath: "",
    appDataPath: "",
    nfsServer: "",
    nfsPath: "",
} as const;

export type ConfigKey = keyof typeof DEFAULTS | "idePassword";

/** Where the raw values come from: `get` returns the string Pulumi stores, or undefined. */
export interface RawConfig {
    get(key: ConfigKey): string | undefined;
    isSecret(key: ConfigKey): boolean;
    /** Any config key by its full name (e.g. an app's secret, devkube:helloToken). */
    other?: { exists(fullKey: string): boolean; isSecret(fullKey: string): boolean };
    /** Every key the stack sets, by its full name (devkube:workspaceSize, digitalocean:token). */
    keys?(): string[];
    /** Whether a DigitalOcean API token is available (config `digitalocean:token` or env). */
    hasDigitalOceanToken: boolean;
}

export interface DigitalOceanSettings {
    readonly kind: "digitalocean";
    readonly region: string;
    readonly nodeSize: string;
    readonly nodeCount: number;
    /** Empty means "the latest DOKS version". */
    readonly kubernetesVersion: string;
    /** When the cluster is awake, for the cost figures and the scheduled workflow. */
    readonly awakeSchedule: AwakeSchedule;
    /** The IANA time zone awakeSchedule is in. */
    readonly timeZone: string;
    /** Snapshots `npm run sleep` keeps (0: none). */
    readonly snapshotsToKeep: number;
    /** Create the workspace volume from this snapshot (only when the volume does not exist yet). */
    readonly volumeSnapshotId: string;
}

export interface MinikubeSettings {
    readonly kind: "minikube";
    readonly kubeContext: string;
    readonly hostPath: string;
    /** Where apps' own volumes live (a directory per app), beside the workspace, not in it. */
    readonly appDataPath: string;
}

export type BaremetalStorage =
    | { readonly mode: "local-disk"; readonly node: string; readonly path: string; readonly appDataPath: string }
    | { readonly mode: "existing-export"; readonly server: string; readonly path: string };

export interface BaremetalSettings {
    readonly kind: "baremetal";
    readonly kubeContext: string;
    readonly storage: BaremetalStorage;
}

export type TargetSettings = DigitalOceanSettings | MinikubeSettings | BaremetalSettings;

export interface DevkubeConfig {
    readonly target: TargetSettings;
    readonly namespace: string;
    readonly workspaceSize: Size;
    readonly webServiceType: ServiceType;
    readonly nfsMountOptions: string[];
    readonly ide: boolean;
    /** The namespace's pod quota. */
    readonly maxPods: number;
    /** Workloads beside the code, from devkube:apps. */
    readonly apps: AppSpec[];
}

const DO_SLUG = /^[a-z0-9][a-z0-9-]*$/;
const KUBE_VERSION = /^[0-9]+\.[0-9]+(\.[0-9]+)?(-do\.[0-9]+)?$/;
const NFS_HOST = /^(([0-9]{1,3}\.){3}[0-9]{1,3}|[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?)$/;

/** The web server's exposure when config does not choose: private in the cloud, NodePort locally. */
export function defaultWebServiceType(target: TargetName): ServiceType {
    return target === "digitalocean" ? "ClusterIP" : "NodePort";
}

/** Reads and validates every key; throws ConfigError listing all problems. */
export function parseConfig(raw: RawConfig): DevkubeConfig {
    const problems: string[] = [];
    const text = (key: keyof typeof DEFAULTS): string => {
        const value = raw.get(key);
        const fallback = DEFAULTS[key];
        return value === undefined ? String(fallback) : value.trim();
    };
    const problem = (key: ConfigKey, value: string, allowed: string) =>
        problems.push(`devkube:${key}: got ${show(value)}; ${allowed}`);

    const targetText = text("target");
    const target = (TARGETS as readonly string[]).includes(targetText) ? (targetText as TargetName) : undefined;
    if (!target) {
        problem("target", targetText, `allowed: ${TARGETS.join(", ")}`);
    }

    const namespace = text("namespace");
    if (!DNS_LABEL.test(namespace) || namespace.length > 40) {
        problem("namespace", namespace, "use a lowercase DNS label of at most 40 characters, e.g. devkube");
    }

    const sizeText = text("workspaceSize");
    const workspaceSize = parseSize(sizeText);
    if (!workspaceSize) {
        problem("workspaceSize", sizeText, "use a whole number of Gi or Ti, e.g. 10Gi or 1Ti");
    }

    const webText = text("webServiceType");
    let webServiceType: ServiceType = defaultWebServiceType(target ?? "minikube");
    if (webText !== "") {
        if ((SERVICE_TYPES as readonly string[]).includes(webText)) {
            webServiceType = webText as ServiceType;
        } else {
            problem("webServiceType", webText, `allowed: ${SERVICE_TYPES.join(", ")}, or empty for the target's default`);
        }
    }
    if (target === "minikube" && webServiceType === "LoadBalancer") {
        problem(
            "webServiceType",
            webText,
            "minikube gives a LoadBalancer no address without `minikube tunnel`, so `pulumi up` would wait for it; use NodePort or ClusterIP",
        );
    }

    const nfsMountOptions = parseMountOptions(raw.get("nfsMountOptions"), (value, allowed) =>
        problem("nfsMountOptions", value, allowed),
    );

    const ideText = text("ide");
    let ide = false;
    if (ideText === "true" || ideText === "false") {
        ide = ideText === "true";
    } else {
        problem("ide", ideText, "allowed: true, false");
    }
    if (ide) {
        const password = raw.get("idePassword");
        if (password === undefined || password === "") {
            problems.push(
                "devkube:idePassword: not set; the browser IDE (devkube:ide=true) needs a password: " +
                    "pulumi config set --secret devkube:idePassword <password>",
            );
        } else if (!raw.isSecret("idePassword")) {
            problems.push(
                "devkube:idePassword: is stored in plain text; set it again with --secret: " +
                    "pulumi config set --secret devkube:idePassword <password>",
            );
        } else if (password.length < 8) {
            problems.push("devkube:idePassword: is shorter than 8 characters; choose a longer one");
        }
    }

    const podsText = text("maxPods");
    const maxPods = Number(podsText);
    if (!/^[0-9]+$/.test(podsText) || maxPods < 5 || maxPods > 1000) {
        problem("maxPods", podsText, "use a whole number of pods from 5 to 1000 (the environment itself runs 3 or 4)");
    }

    problems.push(...unknownKeyProblems(raw.keys?.() ?? [], raw.get("apps")));
    const parsedApps = parseApps(raw.get("apps"), raw.other ?? { exists: () => false, isSecret: () => false });
    problems.push(...parsedApps.problems);
    const apps = parsedApps.apps;
    // devkube's own pods: NFS server, web, editor, IDE, each possibly twice during a rolling update.
    const podsNeeded = apps.reduce((sum, app) => sum + podsAtOnce(app), 0) + 8;
    if (Number.isInteger(maxPods) && maxPods >= 5 && podsNeeded > maxPods) {
        problem("maxPods", podsText, `the apps can run up to ${podsNeeded - 8} pods at once (rolling updates included), plus up to 8 of devkube's own; raise it to at least ${podsNeeded}`);
    }

    let settings: TargetSettings | undefined;
    if (target === "digitalocean") {
        settings = parseDigitalOcean(raw, text, problem, problems);
    } else if (target === "minikube") {
        const kubeContext = text("kubeContext") || "minikube";
        const hostPath = text("minikubeHostPath");
        if (!isAbsolutePath(hostPath) || !MINIKUBE_PERSISTENT_DIRS.some((dir) => hostPath.startsWith(`${dir}/`))) {
            problem(
                "minikubeHostPath",
                hostPath,
                `use a directory under one that minikube keeps across restarts (${MINIKUBE_PERSISTENT_DIRS.join(", ")}), e.g. /data/devkube`,
            );
        }
        const appDataPath = text("appDataPath") || `${hostPath}-apps`;
        const checkable = text("appDataPath") !== "" || isAbsolutePath(hostPath);
        if (checkable && (!isAbsolutePath(appDataPath) || !MINIKUBE_PERSISTENT_DIRS.some((dir) => appDataPath.startsWith(`${dir}/`)) || isInside(appDataPath, hostPath) || isInside(hostPath, appDataPath))) {
            problem(
                "appDataPath",
                appDataPath,
                `use a directory under one that minikube keeps (${MINIKUBE_PERSISTENT_DIRS.join(", ")}) and outside the workspace ${hostPath} (neither inside it nor containing it), e.g. /data/devkube-apps`,
            );
        }
        settings = { kind: "minikube", kubeContext, hostPath, appDataPath };
    } else if (target === "baremetal") {
        settings = parseBaremetal(text, problem);
    }

    if (settings) {
        const existingExport = settings.kind === "baremetal" && settings.storage.mode === "existing-export";
        problems.push(...appVolumeProblems(apps, { kind: settings.kind, existingExport }, parsedApps.indexes));
    }
    if (problems.length > 0 || !settings || !workspaceSize) {
        throw new ConfigError(problems);
    }
    return { target: settings, namespace, workspaceSize, webServiceType, nfsMountOptions, ide, maxPods, apps };
}

/** devkube's settings: the keys Pulumi.yaml declares (a test keeps DEFAULTS and Pulumi.yaml in step). */
export const SETTINGS: readonly ConfigKey[] = [...(Object.keys(DEFAULTS) as ConfigKey[]), "idePassword"];

/**
 * A devkube:* key that is neither a setting nor a secret an app names (secretEnv, a preset's default
 * password key) is a typo: the CLI no longer warns about undeclared keys, and the value would be ignored.
 */
export function unknownKeyProblems(keys: string[], appsText: string | undefined): string[] {
    const named = new Set<string>();
    try {
        const walk = (value: unknown): void => {
            if (typeof value === "string" && value.startsWith("devkube:")) {
                named.add(value);
            } else if (Array.isArray(value)) {
                value.forEach(walk);
            } else if (typeof value === "object" && value !== null) {
                const entry = value as Record<string, unknown>;
                if (typeof entry.preset === "string" && (PRESETS as readonly string[]).includes(entry.preset)) {
                    named.add(defaultPasswordKey(typeof entry.name === "string" ? entry.name : entry.preset));
                }
                Object.values(entry).forEach(walk);
            }
        };
        walk(appsText ? JSON.parse(appsText) : []);
    } catch {
        // A malformed devkube:apps is reported by parseApps.
    }
    const settings = SETTINGS.map((key) => `devkube:${key}`);
    return keys
        .filter((key) => key.startsWith("devkube:") && !settings.includes(key) && !named.has(key))
        .sort()
        .map((key) => `${key}: is not a devkube setting (did you mean ${closest(key, settings)}?); settings are declared in Pulumi.yaml; a key no app names any more: pulumi config rm ${key}`);
}

function parseDigitalOcean(
    raw: RawConfig,
    text: (key: keyof typeof DEFAULTS) => string,
    problem: (key: ConfigKey, value: string, allowed: string) => void,
    problems: string[],
): DigitalOceanSettings {
    if (!raw.hasDigitalOceanToken) {
        problems.push(
            "digitalocean:token: not set; the digitalocean target needs an API token: " +
                "pulumi config set --secret digitalocean:token <token> (or export DIGITALOCEAN_TOKEN)",
        );
    }
    const region = text("doRegion");
    if (!DO_SLUG.test(region)) {
        problem("doRegion", region, "use a DigitalOcean region slug, e.g. fra1, nyc3, sgp1");
    }
    const nodeSize = text("doNodeSize");
    if (!DO_SLUG.test(nodeSize)) {
        problem("doNodeSize", nodeSize, "use a DigitalOcean droplet size slug, e.g. s-2vcpu-4gb");
    }
    const countText = text("doNodeCount");
    const nodeCount = Number(countText);
    if (!/^-?[0-9]+$/.test(countText) || nodeCount < 1 || nodeCount > 100) {
        problem("doNodeCount", countText, "use a whole number of nodes from 1 to 100");
    }
    const kubernetesVersion = text("doKubernetesVersion");
    if (kubernetesVersion !== "" && !KUBE_VERSION.test(kubernetesVersion)) {
        problem(
            "doKubernetesVersion",
            kubernetesVersion,
            "use a DOKS version prefix such as 1.33 or 1.33.1-do.0, or leave empty for the latest",
        );
    }
    const scheduleText = text("awakeSchedule");
    const parsedSchedule = parseSchedule(scheduleText);
    if (!parsedSchedule) {
        problem(
            "awakeSchedule",
            scheduleText,
            'use days and hours like "mon-fri 08:00-19:00" or "mon,wed,fri 09:00-17:30" (24 h clock), or "always"',
        );
    }
    const awakeSchedule = parsedSchedule ?? { text: scheduleText, days: [], startMinute: 0, endMinute: 0 };
    const timeZone = text("timeZone");
    if (!isTimeZone(timeZone)) {
        problem("timeZone", timeZone, "use an IANA time zone such as Europe/Berlin or America/New_York (the default is Etc/UTC)");
    }
    const keepText = text("doSnapshotsToKeep");
    const snapshotsToKeep = Number(keepText);
    if (!/^[0-9]+$/.test(keepText) || snapshotsToKeep > 50) {
        problem("doSnapshotsToKeep", keepText, "use a whole number from 0 (no snapshot before sleep) to 50");
    }
    const volumeSnapshotId = text("doVolumeSnapshotId");
    if (volumeSnapshotId !== "" && !/^[0-9a-f][0-9a-f-]{5,63}$/.test(volumeSnapshotId)) {
        problem("doVolumeSnapshotId", volumeSnapshotId, "use a volume snapshot id as DigitalOcean lists it (e.g. 8fa70202-873f-11e6-8b68-000f533176b1), or leave empty");
    }
    return { kind: "digitalocean", region, nodeSize, nodeCount, kubernetesVersion, awakeSchedule, timeZone, snapshotsToKeep, volumeSnapshotId };
}

function parseBaremetal(
    text: (key: keyof typeof DEFAULTS) => string,
    problem: (key: ConfigKey, value: string, allowed: string) => void,
): BaremetalSettings {
    const kubeContext = text("kubeContext") || "default";
    const modeText = text("baremetalMode");
    if (modeText === "existing-export") {
        const server = text("nfsServer");
        const path = text("nfsPath");
        if (server === "" || !NFS_HOST.test(server)) {
            problem(
                "nfsServer",
                server,
                "devkube:baremetalMode=existing-export mounts an NFS export that already exists; set the server's IP address or host name, e.g. 192.168.1.20",
            );
        }
        if (!isAbsolutePath(path)) {
            problem("nfsPath", path, "set the absolute path the server exports, e.g. /srv/nfs/devkube");
        }
        return { kind: "baremetal", kubeContext, storage: { mode: "existing-export", server, path } };
    }
    if (modeText !== "local-disk") {
        problem("baremetalMode", modeText, `allowed: ${BAREMETAL_MODES.join(", ")}`);
    }
    const node = text("storageNode");
    const path = text("diskPath");
    if (!DNS_LABEL.test(node) && !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(node)) {
        problem(
            "storageNode",
            node,
            "set the node name (kubernetes.io/hostname) of the board the USB disk is plugged into, as `kubectl get nodes` shows it",
        );
    }
    if (!isAbsolutePath(path) || path === "/") {
        problem("diskPath", path, "set the absolute directory on that node's disk, e.g. /mnt/usb/devkube");
    }
    const appDataPath = text("appDataPath") || `${path}-apps`;
    // A derived path is only as good as diskPath, whose own problem is reported already.
    const checkable = text("appDataPath") !== "" || (isAbsolutePath(path) && path !== "/");
    if (checkable && (!isAbsolutePath(appDataPath) || appDataPath === "/" || isInside(appDataPath, path) || isInside(path, appDataPath))) {
        problem(
            "appDataPath",
            appDataPath,
            `set an absolute directory on node ${node || "<storageNode>"}'s disk outside the workspace ${path} (neither inside it nor containing it: apps' databases are not served over NFS), e.g. /mnt/usb/devkube-apps`,
        );
    }
    return { kind: "baremetal", kubeContext, storage: { mode: "local-disk", node, path, appDataPath } };
}

function parseMountOptions(value: string | undefined, problem: (value: string, allowed: string) => void): string[] {
    if (value === undefined) {
        return [...DEFAULTS.nfsMountOptions];
    }
    const allowed = 'use a JSON list of mount options, e.g. ["nfsvers=4.1","hard","actimeo=1","lookupcache=positive"]';
    let parsed: unknown;
    try {
        parsed = JSON.parse(value);
    } catch {
        problem(value, allowed);
        return [];
    }
    if (!Array.isArray(parsed) || parsed.some((o) => typeof o !== "string" || o.trim() === "" || /[\s,]/.test(o))) {
        problem(value, `${allowed}; each entry one option without spaces or commas`);
        return [];
    }
    return parsed as string[];
}

function isInside(path: string, dir: string): boolean {
    const clean = (p: string) => p.replace(/\/+$/, "");
    return clean(path) === clean(dir) || clean(path).startsWith(`${clean(dir)}/`);
}

/** The real source: the stack's Pulumi config, plus the environment for the DigitalOcean token. */
export function stackConfig(env: NodeJS.ProcessEnv = process.env): RawConfig {
    const project = pulumi.getProject();
    const fullKey = (key: ConfigKey) => `${project}:${key}`;
    return {
        // runtime.getConfig reads the raw value without the "use getSecret" warning;
        // secret values only ever leave this module as a presence check.
        get: (key) => pulumi.runtime.getConfig(fullKey(key)),
        keys: () => Object.keys(pulumi.runtime.allConfig()),
        isSecret: (key) => isConfigSecret(fullKey(key)),
        other: {
            exists: (key) => pulumi.runtime.getConfig(key) !== undefined,
            isSecret: (key) => isConfigSecret(key),
        },
        hasDigitalOceanToken:
            pulumi.runtime.getConfig("digitalocean:token") !== undefined ||
            Boolean(env.DIGITALOCEAN_TOKEN) ||
            Boolean(env.DIGITALOCEAN_ACCESS_TOKEN),
    };
}

// The SDK exports isConfigSecret at runtime but marks it @internal in its typings.
// If a future SDK drops it, treat values as secret rather than block every `up`.
function isConfigSecret(fullKey: string): boolean {
    const check = (pulumiRuntimeConfig as unknown as { isConfigSecret?: (k: string) => boolean }).isConfigSecret;
    return check ? check(fullKey) : true;
}

/** The secrets, as Pulumi secret outputs (never plain strings). */
export function stackSecrets(env: NodeJS.ProcessEnv = process.env) {
    const devkube = new pulumi.Config();
    const digitalocean = new pulumi.Config("digitalocean");
    const envToken = env.DIGITALOCEAN_TOKEN || env.DIGITALOCEAN_ACCESS_TOKEN;
    return {
        /** Any secret config value by its full key, e.g. devkube:helloToken. */
        secret: (fullKey: string): pulumi.Output<string> => {
            const [namespace, key] = [fullKey.slice(0, fullKey.indexOf(":")), fullKey.slice(fullKey.indexOf(":") + 1)];
            return new pulumi.Config(namespace).requireSecret(key);
        },
        idePassword: (): pulumi.Output<string> => devkube.requireSecret("idePassword"),
        digitalOceanToken: (): pulumi.Output<string> =>
            pulumi.runtime.getConfig("digitalocean:token") !== undefined
                ? digitalocean.requireSecret("token")
                : pulumi.secret(envToken ?? ""),
    };
}
