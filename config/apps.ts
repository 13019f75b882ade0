// devkube:apps: workloads beside the code, each a short entry in the stack config. Pure functions of
// the raw JSON, so every rule has its own test; the problems name the app, the field, the value and
// what is allowed.
import { compareQuantities, isNegative, isZero, tryParseQuantity } from "../contract/quantity";
import { DNS_LABEL, Size, isAbsolutePath, parseSize } from "./common";
import { PASSWORD_VARIABLE, PRESETS, PresetName, defaultPasswordKey, presetEntry, withPreset } from "./presets";
import { SERVICE_TYPES, WORKLOAD_NAMES } from "../contract/identity";

export const APP_EXPOSURES = ["none", ...SERVICE_TYPES] as const;
export type AppExposure = (typeof APP_EXPOSURES)[number];

export interface AppPort {
    /** The port the container listens on. */
    readonly port: number;
    /** The port its Service offers (the same unless the entry says otherwise). */
    readonly servicePort: number;
}

/** An app's own disk for single-writer data (a database), never on the NFS share. */
export interface AppVolume {
    readonly size: Size;
    readonly mountPath: string;
    /**
     * A storage class of the cluster's to provision it; the claim is then protected so it (and the
     * data) stays through the night. Without one, devkube keeps the data on the target's own disk,
     * the way it keeps the workspace.
     */
    readonly storageClass?: string;
}

export interface AppIngress {
    readonly hosts: string[];
    /** The cluster's ingress class; absent means the cluster's default class. */
    readonly className?: string;
    /** The cert-manager issuer that signs the TLS certificate. */
    readonly issuer: { readonly kind: "ClusterIssuer" | "Issuer"; readonly name: string };
    readonly path: string;
}

export interface AppSpec {
    readonly name: string;
    readonly image: string;
    readonly command?: string[];
    readonly args?: string[];
    readonly ports: AppPort[];
    readonly replicas: number;
    /** Plain settings: rendered into a ConfigMap and loaded with envFrom. */
    readonly env: Record<string, string>;
    /** Variable name -> full key of a Pulumi *secret* config value (e.g. devkube:helloToken). */
    readonly secretEnv: Record<string, string>;
    /** Mount the share; subPath (may be "") and whether it is the working directory. */
    readonly workspace?: { readonly subPath: string; readonly workingDir: boolean };
    /** Restart the process when a file under the working directory changes (polling: inotify does not cross NFS). */
    readonly restartOnChange: boolean;
    readonly expose: AppExposure;
    readonly ingress?: AppIngress;
    readonly strategy: "Recreate" | "RollingUpdate";
    /** A cron expression: the app becomes a CronJob. */
    readonly schedule?: string;
    readonly successfulJobsHistoryLimit: number;
    readonly failedJobsHistoryLimit: number;
    readonly resources: { readonly cpu: string; readonly memory: string; readonly cpuLimit: string; readonly memoryLimit: string };
    /** HTTP path for readiness (and liveness) on the first port; otherwise a TCP check of that port. */
    readonly probePath?: string;
    /** A command run in the container as the probe (it wins over probePath). */
    readonly probeCommand?: string[];
    readonly volume?: AppVolume;
    /** The preset this app was built from; other apps can `use` it. */
    readonly preset?: PresetName;
    /** Preset apps whose connection settings (DATABASE_URL, REDIS_URL, ...) this app gets as env. */
    readonly uses: string[];
}

const APP_KEYS = [
    "name", "preset", "image", "command", "args", "ports", "replicas", "env", "secretEnv", "workspace", "restartOnChange",
    "expose", "ingress", "strategy", "schedule", "successfulJobsHistoryLimit", "failedJobsHistoryLimit", "resources",
    "probePath", "probeCommand", "volume", "uses",
];
/** Names devkube's own workloads use. */
const RESERVED_NAMES: readonly string[] = Object.values(WORKLOAD_NAMES);
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const HOST_NAME = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/;
const DEFAULT_RESOURCES = { cpu: "100m", memory: "128Mi", cpuLimit: "400m", memoryLimit: "256Mi" };

/** The five cron fields Kubernetes reads (robfig/cron): their ranges and the names they accept. */
const CRON_FIELDS: Array<{ min: number; max: number; names?: string[] }> = [
    { min: 0, max: 59 },
    { min: 0, max: 23 },
    { min: 1, max: 31 },
    { min: 1, max: 12, names: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"] },
    { min: 0, max: 7, names: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] },
];

function cronValue(text: string, field: (typeof CRON_FIELDS)[number]): number | undefined {
    const named = field.names?.indexOf(text.toLowerCase()) ?? -1;
    if (named >= 0) {
        return named + field.min;
    }
    const value = /^[0-9]+$/.test(text) ? Number(text) : NaN;
    return value >= field.min && value <= field.max ? value : undefined;
}

/** One field: "*", "?", a value, a range, a list of those, each with an optional "/step". */
function isCronField(text: string, field: (typeof CRON_FIELDS)[number]): boolean {
    return text.split(",").every((part) => {
        const [range, step, ...extra] = part.split("/");
        if (extra.length > 0 || (step !== undefined && !/^[1-9][0-9]*$/.test(step))) {
            return false;
        }
        if (range === "*" || range === "?") {
            return true;
        }
        const [from, to, ...more] = range.split("-");
        const low = cronValue(from, field);
        const high = to === undefined ? low : cronValue(to, field);
        return more.length === 0 && low !== undefined && high !== undefined && low <= high;
    });
}

/** A five-field cron expression as Kubernetes CronJobs take it (or @hourly, @daily, ...), values in range. */
export function isCronExpression(text: string): boolean {
    if (/^@(yearly|annually|monthly|weekly|daily|midnight|hourly)$/.test(text)) {
        return true;
    }
    const fields = text.trim().split(/\s+/);
    return fields.length === 5 && fields.every((f, i) => isCronField(f, CRON_FIELDS[i]));
}

/** A Kubernetes quantity as a number (cores, or bytes), or undefined. */
export function quantityValue(text: string): number | undefined {
    const parsed = tryParseQuantity(text);
    return parsed.ok ? Number(parsed.quantity.num) / Number(parsed.quantity.den) : undefined;
}

/** A quantity a container can ask for: one Kubernetes reads, above zero. */
function isPositiveQuantity(value: unknown): boolean {
    const parsed = tryParseQuantity(value);
    return typeof value === "string" && parsed.ok && !isZero(parsed.quantity) && !isNegative(parsed.quantity);
}

/** An image reference with an explicit tag other than latest (or a digest). */
export function isPinnedImage(image: string): boolean {
    if (/@sha256:[0-9a-f]{64}$/.test(image)) {
        return true;
    }
    const lastSlash = image.lastIndexOf("/");
    const colon = image.lastIndexOf(":");
    return colon > lastSlash && colon < image.length - 1 && image.slice(colon + 1) !== "latest";
}

function isPort(value: unknown): value is number {
    return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 65535;
}

function isStringList(value: unknown): value is string[] {
    return Array.isArray(value) && value.every((v) => typeof v === "string");
}

function isMap(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

type Bad = (field: string, value: unknown, allowed: string) => void;

/** ports: numbers, or { port, servicePort } when the Service offers another port than the container's. */
export function parsePorts(value: unknown, bad: Bad): AppPort[] {
    const allowed = "use a list of port numbers from 1 to 65535, or { port: 6167, servicePort: 8448 } entries";
    if (value === undefined) {
        return [];
    }
    if (!Array.isArray(value)) {
        bad("ports", value, allowed);
        return [];
    }
    const ports: AppPort[] = [];
    for (const entry of value) {
        if (isPort(entry)) {
            ports.push({ port: entry, servicePort: entry });
        } else if (
            isMap(entry) &&
            isPort(entry.port) &&
            (entry.servicePort === undefined || isPort(entry.servicePort)) &&
            Object.keys(entry).every((key) => key === "port" || key === "servicePort")
        ) {
            ports.push({ port: entry.port, servicePort: (entry.servicePort as number | undefined) ?? entry.port });
        } else {
            bad("ports", value, allowed);
            return [];
        }
    }
    if (new Set(ports.map((p) => p.servicePort)).size !== ports.length) {
        bad("ports", value, "each port needs a service port of its own");
    }
    return ports;
}

function unknownFields(field: string, value: Record<string, unknown>, known: string[], example: string, bad: Bad): void {
    for (const key of Object.keys(value).filter((k) => !known.includes(k))) {
        bad(field, value, `unknown field "${key}"; ${example}`);
    }
}

export function parseVolume(value: unknown, bad: Bad): AppVolume | undefined {
    if (value === undefined) {
        return undefined;
    }
    const example = 'use { size: "5Gi", mountPath: "/var/lib/postgresql/data" } and optionally storageClass: <a storage class of the cluster>';
    if (!isMap(value)) {
        bad("volume", value, example);
        return undefined;
    }
    unknownFields("volume", value, ["size", "mountPath", "storageClass"], example, bad);
    const size = typeof value.size === "string" ? parseSize(value.size) : undefined;
    if (!size) {
        bad("volume.size", value.size, "use a whole number of Gi or Ti, e.g. 5Gi");
    }
    const mountPath = value.mountPath;
    if (typeof mountPath !== "string" || !isAbsolutePath(mountPath) || mountPath === "/" || mountPath === "/workspace" || mountPath.startsWith("/workspace/")) {
        bad("volume.mountPath", mountPath, "use an absolute directory in the container other than / and /workspace (the share), e.g. /var/lib/postgresql/data");
    }
    const storageClass = value.storageClass;
    if (storageClass !== undefined && (typeof storageClass !== "string" || !DNS_SUBDOMAIN.test(storageClass))) {
        bad("volume.storageClass", storageClass, "name a storage class as `kubectl get storageclass` lists it, e.g. local-path, or leave it out");
    }
    return size && typeof mountPath === "string" ? { size, mountPath, storageClass: storageClass as string | undefined } : undefined;
}

export function parseIngress(value: unknown, bad: Bad): AppIngress | undefined {
    if (value === undefined) {
        return undefined;
    }
    const example = "use { hosts: [matrix.example.org], clusterIssuer: letsencrypt } (or issuer: <an Issuer in the namespace>), optionally className and path";
    if (!isMap(value)) {
        bad("ingress", value, example);
        return undefined;
    }
    unknownFields("ingress", value, ["hosts", "className", "clusterIssuer", "issuer", "path"], example, bad);
    const hosts = value.hosts;
    if (!isStringList(hosts) || hosts.length === 0 || hosts.some((h) => !HOST_NAME.test(h))) {
        bad("ingress.hosts", hosts, "use a list of one or more lowercase DNS names, e.g. [matrix.example.org, example.org]");
    } else if (new Set(hosts).size !== hosts.length) {
        bad("ingress.hosts", hosts, "list each host once");
    }
    const className = value.className;
    if (className !== undefined && (typeof className !== "string" || !DNS_SUBDOMAIN.test(className))) {
        bad("ingress.className", className, "name an ingress class as `kubectl get ingressclass` lists it, or leave it out for the cluster's default");
    }
    const { clusterIssuer, issuer } = value;
    let tlsIssuer: AppIngress["issuer"] | undefined;
    if ((clusterIssuer === undefined) === (issuer === undefined)) {
        bad(
            "ingress",
            value,
            "set exactly one of clusterIssuer or issuer: the cert-manager issuer that signs the TLS certificate (an Ingress is served over HTTPS only)",
        );
    } else {
        const name = clusterIssuer ?? issuer;
        const field = clusterIssuer !== undefined ? "clusterIssuer" : "issuer";
        if (typeof name !== "string" || !DNS_SUBDOMAIN.test(name)) {
            bad(`ingress.${field}`, name, "name a cert-manager issuer as `kubectl get clusterissuer` (or issuer) lists it, e.g. letsencrypt");
        } else {
            tlsIssuer = { kind: clusterIssuer !== undefined ? "ClusterIssuer" : "Issuer", name };
        }
    }
    const path = value.path ?? "/";
    if (typeof path !== "string" || !path.startsWith("/")) {
        bad("ingress.path", path, 'use a URL path such as "/"');
    }
    return isStringList(hosts) && tlsIssuer
        ? { hosts, className: className as string | undefined, issuer: tlsIssuer, path: path as string }
        : undefined;
}

/**
 * Validates the entries of devkube:apps (the schema has made sure it is a list of objects) and returns
 * the apps and every problem. `isSecret` tells whether a config key is stored as a Pulumi secret;
 * `exists` whether it is set at all.
 */
export function parseApps(list: readonly unknown[], keys: SecretKeys): { apps: AppSpec[]; problems: string[]; indexes: number[] } {
    const problems: string[] = [];
    const parsed: Array<[AppSpec, number]> = [];
    list.forEach((raw: unknown, index: number) => {
        const app = parseApp(raw, index, keys, problems);
        if (app) {
            parsed.push([app, index]);
        }
    });
    problems.push(...crossAppProblems(parsed));
    return { apps: parsed.map(([app]) => app), problems, indexes: parsed.map(([, index]) => index) };
}

/** How one entry's parsers report: `bad(field, value, allowed)`, named after the entry. */
interface Entry {
    /** The entry with its preset's defaults filled in. */
    readonly fields: Record<string, any>;
    /** The entry as written (rules about what the user set themselves read this). */
    readonly raw: Record<string, unknown>;
    readonly preset?: PresetName;
    readonly bad: Bad;
}

type SecretKeys = { isSecret(fullKey: string): boolean; exists(fullKey: string): boolean };

function parseApp(raw: unknown, index: number, keys: SecretKeys, problems: string[]): AppSpec | undefined {
    const preset = isMap(raw) ? raw.preset : undefined;
    const rawName = isMap(raw) ? (raw.name ?? (typeof preset === "string" ? preset : undefined)) : undefined;
    const label = `devkube:apps[${index}]${typeof rawName === "string" ? ` (${rawName})` : ""}`;
    const bad: Bad = (field, value, allowed) => problems.push(`${label}.${field}: got ${JSON.stringify(value)}; ${allowed}`);
    if (!isMap(raw)) {
        problems.push(`${label}: got ${JSON.stringify(raw)}; each app is an object with at least name and image (or a preset)`);
        return undefined;
    }
    for (const key of Object.keys(raw)) {
        if (!APP_KEYS.includes(key)) {
            problems.push(`${label}: unknown field "${key}"; allowed: ${APP_KEYS.join(", ")}`);
        }
    }
    if (preset !== undefined && (typeof preset !== "string" || !(PRESETS as readonly string[]).includes(preset))) {
        bad("preset", preset, `allowed: ${PRESETS.join(", ")}`);
        return undefined;
    }
    const entry: Entry = { fields: preset !== undefined ? withPreset(preset as PresetName, raw) : raw, raw, preset: preset as PresetName | undefined, bad };
    const { name, image } = parseIdentity(entry);
    const ports = parsePorts(entry.fields.ports, bad);
    const replicas = entry.fields.replicas ?? 1;
    if (!Number.isInteger(replicas) || replicas < 0 || replicas > 20) {
        bad("replicas", replicas, "use a whole number from 0 to 20");
    }
    const { env, secretEnv } = parseEnvironment(entry, keys);
    const { workspace, restartOnChange } = parseWorkspace(entry);
    const ingress = parseIngress(entry.fields.ingress, bad);
    const expose = parseExposure(entry, ports);
    const volume = parseVolume(entry.fields.volume, bad);
    const strategy = parseStrategy(entry, replicas);
    const { schedule, successfulJobsHistoryLimit, failedJobsHistoryLimit } = parseCronSchedule(entry, expose);
    const resources = parseResources(entry);
    const probePath = entry.fields.probePath;
    if (probePath !== undefined && (typeof probePath !== "string" || !probePath.startsWith("/"))) {
        bad("probePath", probePath, 'use an HTTP path such as "/" or "/healthz"');
    }
    const uses = entry.fields.uses ?? [];
    if (!isStringList(uses)) {
        bad("uses", uses, "use a list of the names of preset apps (postgres, redis) whose addresses this app needs, e.g. [db, cache]");
    }
    presetProblems(entry, String(name), secretEnv, replicas);
    return {
        name, image, command: entry.fields.command, args: entry.fields.args, ports, replicas, env, secretEnv, workspace, restartOnChange,
        expose, ingress, strategy, schedule, successfulJobsHistoryLimit, failedJobsHistoryLimit, resources, probePath,
        probeCommand: entry.fields.probeCommand, volume, preset: entry.preset, uses: isStringList(uses) ? uses : [],
    };
}

/** name, image, and the command lists. */
function parseIdentity({ fields, bad }: Entry): { name: string; image: string } {
    const name = fields.name;
    if (typeof name !== "string" || !DNS_LABEL.test(name) || name.length > 40) {
        bad("name", name, "use a lowercase DNS label of at most 40 characters, e.g. hello");
    } else if (RESERVED_NAMES.includes(name)) {
        bad("name", name, `each app needs a name of its own (${RESERVED_NAMES.join(", ")} are devkube's)`);
    }
    const image = fields.image;
    if (typeof image !== "string" || image === "") {
        bad("image", image, "set an image with an explicit tag, e.g. node:22.12.0-alpine");
    } else if (!isPinnedImage(image)) {
        bad("image", image, "pin an explicit tag other than latest (e.g. node:22.12.0-alpine), so the app does not change under you");
    }
    for (const field of ["command", "args", "probeCommand"]) {
        if (fields[field] !== undefined && (!isStringList(fields[field]) || (field === "probeCommand" && fields[field].length === 0))) {
            bad(field, fields[field], "use a list of strings");
        }
    }
    return { name, image };
}

/** env (plain settings) and secretEnv (names of Pulumi secret config keys, which must be set as secrets). */
function parseEnvironment({ fields, bad }: Entry, keys: SecretKeys): { env: Record<string, string>; secretEnv: Record<string, string> } {
    const env = fields.env ?? {};
    if (!isMap(env) || Object.entries(env).some(([k, v]) => !ENV_NAME.test(k) || typeof v !== "string")) {
        bad("env", env, 'use a map of variable names to strings, e.g. { MY_NON_SECRET: "foo" }');
    }
    const secretEnv = fields.secretEnv ?? {};
    if (!isMap(secretEnv)) {
        bad("secretEnv", secretEnv, 'use a map of variable names to secret config keys, e.g. { API_TOKEN: "devkube:helloToken" }');
    } else {
        for (const [variable, key] of Object.entries(secretEnv)) {
            if (!ENV_NAME.test(variable) || typeof key !== "string" || !key.includes(":")) {
                bad(`secretEnv.${variable}`, key, 'name a Pulumi config key, e.g. "devkube:helloToken" (the value itself never goes here)');
            } else if (!keys.exists(key)) {
                bad(`secretEnv.${variable}`, key, `that config key is not set: pulumi config set --secret ${key} <value>`);
            } else if (!keys.isSecret(key)) {
                bad(`secretEnv.${variable}`, key, `that config key is stored in plain text; set it again with: pulumi config set --secret ${key} <value>`);
            }
        }
    }
    return { env, secretEnv };
}

/** workspace (the share's mount) and restartOnChange, which needs it and a command. */
function parseWorkspace({ fields, bad }: Entry): { workspace: AppSpec["workspace"]; restartOnChange: boolean } {
    let workspace: AppSpec["workspace"];
    if (fields.workspace !== undefined) {
        const w = fields.workspace;
        const subPath = w?.subPath ?? "";
        const workingDir = isMap(w) ? (w.workingDir ?? true) : true;
        if (!isMap(w) || typeof subPath !== "string" || subPath.startsWith("/") || subPath.split("/").includes("..") || typeof workingDir !== "boolean") {
            bad("workspace", w, 'use { subPath: "hello", workingDir: true } (subPath relative to the share; workingDir true or false)');
        } else {
            workspace = { subPath, workingDir };
        }
    }
    const restartOnChange = fields.restartOnChange ?? false;
    if (typeof restartOnChange !== "boolean" || (restartOnChange && !workspace)) {
        bad("restartOnChange", restartOnChange, "use true or false; true needs a workspace mount to watch");
    } else if (restartOnChange && !(isStringList(fields.command) && fields.command.length > 0)) {
        bad("restartOnChange", restartOnChange, "restarting needs a command to restart, e.g. command: [node, server.js]");
    }
    return { workspace, restartOnChange };
}

/** expose: none unless the app has ports or an ingress; a Service needs ports. */
function parseExposure({ fields, raw, preset, bad }: Entry, ports: AppPort[]): AppExposure {
    const expose = fields.expose ?? (ports.length > 0 || fields.ingress !== undefined ? "ClusterIP" : "none");
    if (!(APP_EXPOSURES as readonly string[]).includes(expose)) {
        bad("expose", expose, `allowed: ${APP_EXPOSURES.join(", ")}`);
    } else if (expose !== "none" && ports.length === 0) {
        bad(
            fields.ingress !== undefined ? "ingress" : "expose",
            fields.ingress !== undefined ? fields.ingress : expose,
            `${fields.ingress !== undefined ? "an Ingress" : raw.expose === undefined ? `a ${preset} app (exposed by its preset)` : "exposing an app"} needs at least one entry in ports`,
        );
    } else if (fields.ingress !== undefined && expose === "none") {
        bad("expose", expose, "an Ingress sends traffic to the app's Service: leave expose out (ClusterIP) or pick a Service type");
    }
    return expose;
}

/** strategy: Recreate for an app with its own volume (a single writer), else RollingUpdate. */
function parseStrategy({ fields, bad }: Entry, replicas: number): AppSpec["strategy"] {
    const strategy = fields.strategy ?? (fields.volume !== undefined ? "Recreate" : "RollingUpdate");
    if (strategy !== "Recreate" && strategy !== "RollingUpdate") {
        bad("strategy", strategy, "allowed: Recreate (single-writer apps), RollingUpdate");
    } else if (fields.volume !== undefined && (strategy !== "Recreate" || replicas > 1)) {
        bad(
            fields.strategy !== undefined && strategy !== "Recreate" ? "strategy" : "replicas",
            fields.strategy !== undefined && strategy !== "Recreate" ? strategy : replicas,
            "an app with its own volume is a single writer (the disk attaches to one pod): use replicas 0 or 1 and strategy Recreate",
        );
    }
    return strategy;
}

/** schedule (a CronJob) and its job history limits; a scheduled app serves nothing and keeps no data. */
function parseCronSchedule({ fields, preset, bad }: Entry, expose: AppExposure): Pick<AppSpec, "schedule" | "successfulJobsHistoryLimit" | "failedJobsHistoryLimit"> {
    const schedule = fields.schedule;
    if (schedule !== undefined && (typeof schedule !== "string" || !isCronExpression(schedule))) {
        bad("schedule", schedule, 'use a cron expression of five fields, e.g. "*/5 * * * *", or @hourly/@daily');
    }
    if (schedule !== undefined && fields.expose !== undefined && expose !== "none") {
        bad("expose", expose, "a scheduled app (CronJob) serves nothing; leave expose out");
    }
    if (schedule !== undefined && (fields.ingress !== undefined || fields.volume !== undefined || preset !== undefined)) {
        bad("schedule", schedule, "a scheduled app (CronJob) cannot have an ingress, its own volume or a preset; drop one of them");
    }
    const history = (field: string) => {
        const value = fields[field] ?? 2;
        if (!Number.isInteger(value) || value < 0 || value > 20) {
            bad(field, value, "use a whole number from 0 to 20");
        }
        return value;
    };
    return { schedule, successfulJobsHistoryLimit: history("successfulJobsHistoryLimit"), failedJobsHistoryLimit: history("failedJobsHistoryLimit") };
}

/** resources: the defaults, overridden field by field; every value a non-zero quantity, no request above its limit. */
function parseResources({ fields, bad }: Entry): AppSpec["resources"] {
    const resources = { ...DEFAULT_RESOURCES, ...(isMap(fields.resources) ? fields.resources : {}) };
    if (fields.resources !== undefined && !isMap(fields.resources)) {
        bad("resources", fields.resources, 'use { cpu: "100m", memory: "128Mi", cpuLimit: "400m", memoryLimit: "256Mi" } (any of them)');
    }
    for (const [request, limit] of [["cpu", "cpuLimit"], ["memory", "memoryLimit"]] as const) {
        const [r, l] = [tryParseQuantity(resources[request]), tryParseQuantity(resources[limit])];
        if (r.ok && l.ok && compareQuantities(r.quantity, l.quantity) > 0) {
            bad(`resources.${request}`, resources[request], `a request cannot exceed its limit (${limit} is ${JSON.stringify(resources[limit])}); lower ${request} or raise ${limit}`);
        }
    }
    for (const [field, value] of Object.entries(resources)) {
        if (!["cpu", "memory", "cpuLimit", "memoryLimit"].includes(field) || !isPositiveQuantity(value)) {
            bad(`resources.${field}`, value, 'use non-zero Kubernetes quantities for cpu, memory, cpuLimit, memoryLimit, e.g. "100m", "256Mi"');
        }
    }
    return resources;
}

/** What a preset fixes: its data path, its password's secret, one server, no `uses` of its own. */
function presetProblems({ raw, preset, bad }: Entry, name: string, secretEnv: Record<string, string>, replicas: number): void {
    if (preset === undefined) {
        return;
    }
    const own = presetEntry(preset, name).volume as { mountPath: string };
    if (isMap(raw.volume) && raw.volume.mountPath !== undefined && raw.volume.mountPath !== own.mountPath) {
        bad("volume.mountPath", raw.volume.mountPath, `a ${preset} preset keeps its data at ${own.mountPath} (its image is set up for that path); leave mountPath out`);
    }
    if (raw.uses !== undefined) {
        bad("uses", raw.uses, `a ${preset} preset needs no other app's address; give uses to the apps that connect to it`);
    }
    const variable = PASSWORD_VARIABLE[preset];
    if (!isMap(secretEnv) || secretEnv[variable] === undefined) {
        bad(`secretEnv.${variable}`, undefined, `a ${preset} app reads its password from a secret config key, e.g. ${defaultPasswordKey(name)}`);
    }
    if (replicas > 1) {
        bad("replicas", replicas, `a ${preset} preset runs one server: use 0 or 1`);
    }
}

/**
 * Pods an app can run at once: every replica, plus the extra pod a rolling update starts (maxSurge
 * 25%, rounded up); a CronJob runs one job at a time (concurrencyPolicy Forbid).
 */
export function podsAtOnce(app: AppSpec): number {
    return app.schedule ? 1 : app.replicas + (app.strategy === "RollingUpdate" ? Math.ceil(app.replicas / 4) : 0);
}

/** What no single entry shows: duplicate names and hosts, and `uses` that name no preset app. */
function crossAppProblems(parsed: Array<[AppSpec, number]>): string[] {
    const problems: string[] = [];
    const apps = parsed.map(([app]) => app);
    const label = (app: AppSpec) => `devkube:apps[${parsed[apps.indexOf(app)][1]}] (${app.name})`;
    const seen = new Set<string>();
    const hosts = new Map<string, string>();
    for (const app of apps) {
        if (seen.has(app.name)) {
            problems.push(`${label(app)}.name: got ${JSON.stringify(app.name)}; each app needs a name of its own`);
        }
        seen.add(app.name);
        for (const host of app.ingress?.hosts ?? []) {
            const other = hosts.get(host);
            if (other !== undefined && other !== app.name) {
                problems.push(`${label(app)}.ingress.hosts: got ${JSON.stringify(host)}; app ${other} serves that host already`);
            }
            hosts.set(host, app.name);
        }
    }
    for (const app of apps) {
        const usedPresets = new Map<string, string>();
        for (const used of app.uses) {
            const target = apps.find((a) => a.name === used);
            if (!target || !target.preset || used === app.name) {
                const presets = apps.filter((a) => a.preset && a.name !== app.name).map((a) => a.name);
                problems.push(
                    `${label(app)}.uses: got ${JSON.stringify(used)}; name a preset app of this stack (${presets.length > 0 ? presets.join(", ") : "there is none: add e.g. { preset: postgres }"})`,
                );
            } else if (target.expose === "none") {
                problems.push(`${label(app)}.uses: got ${JSON.stringify(used)}; ${used} has expose: none, so nothing can reach it; leave expose out of ${used}`);
            } else if (usedPresets.has(target.preset)) {
                problems.push(
                    `${label(app)}.uses: got ${JSON.stringify(app.uses)}; ${usedPresets.get(target.preset)} and ${used} are both ${target.preset} and would set the same variables; use one`,
                );
            } else {
                usedPresets.set(target.preset, used);
            }
        }
    }
    return problems;
}

/** Volumes the target cannot keep through the night, found once the target is known (its own rule). */
export function appVolumeProblems(
    apps: AppSpec[],
    rule: (volume: NonNullable<AppSpec["volume"]>, field: string) => string[],
    /** Each app's position in devkube:apps (parseApps' indexes). */
    indexes: number[] = apps.map((_, i) => i),
): string[] {
    return apps.flatMap((app, position) => (app.volume ? rule(app.volume, `devkube:apps[${indexes[position]}] (${app.name}).volume`) : []));
}
