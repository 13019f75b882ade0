// devkube:apps: workloads beside the code, each a short entry in the stack config. Each field is checked
// against its schema (app-fields.ts); the rules across fields and across apps are the pure functions
// here, so every rule has its own test; the problems name the app, the field, the value and what is allowed.
import { compareQuantities, tryParseQuantity } from "../contract/quantity";
import { PASSWORD_VARIABLE, PresetName, defaultPasswordKey, presetEntry, withPreset } from "./presets";
import { APP_FIELDS, APP_FIELD_NAMES, AppExposure, AppFieldValues, Bad, ENV_NAME, checkField, isMap } from "./app-fields";

export { APP_EXPOSURES, isCronExpression, isPinnedImage } from "./app-fields";
export type { AppExposure };

/** A port the container listens on and the one its Service offers (the same unless the entry says otherwise). */
export type AppPort = AppFieldValues["ports"][number];

/**
 * An app's own disk for single-writer data (a database), never on the NFS share. With a storageClass
 * the claim comes from that class of the cluster's; without one, the target keeps the data on its own
 * disk, the way it keeps the workspace.
 */
export type AppVolume = NonNullable<AppFieldValues["volume"]>;

export interface AppIngress {
    readonly hosts: string[];
    /** The cluster's ingress class; absent means the cluster's default class. */
    readonly className?: string;
    /** The cert-manager issuer that signs the TLS certificate. */
    readonly issuer: { readonly kind: "ClusterIssuer" | "Issuer"; readonly name: string };
    readonly path: string;
}

/** One app, checked: the fields as their schema gives them, and what devkube decides from several of them. */
export interface AppSpec
    extends Pick<
        AppFieldValues,
        | "name" | "image" | "command" | "args" | "ports" | "replicas" | "env" | "workspace" | "restartOnChange" | "schedule"
        | "successfulJobsHistoryLimit" | "failedJobsHistoryLimit" | "resources" | "probePath" | "probeCommand" | "volume" | "uses"
    > {
    /** Variable name -> full key of a Pulumi *secret* config value (e.g. devkube:helloToken). */
    readonly secretEnv: Record<string, string>;
    readonly expose: AppExposure;
    readonly ingress?: AppIngress;
    readonly strategy: "Recreate" | "RollingUpdate";
    /** The preset this app was built from; other apps can `use` it. */
    readonly preset?: PresetName;
}

/** A Kubernetes quantity as a number (cores, or bytes), or undefined. */
export function quantityValue(text: string): number | undefined {
    const parsed = tryParseQuantity(text);
    return parsed.ok ? Number(parsed.quantity.num) / Number(parsed.quantity.den) : undefined;
}

/** ports, checked; a Service needs a port of its own for each entry. */
function parsePorts(value: unknown, bad: Bad): AppPort[] {
    const ports = checkField("ports", value, bad) ?? [];
    if (new Set(ports.map((p) => p.servicePort)).size !== ports.length) {
        bad("ports", value, "each port needs a service port of its own");
    }
    return ports;
}

/** ingress, checked, with its issuer: exactly one of clusterIssuer or issuer. */
function parseIngress(value: unknown, bad: Bad): AppIngress | undefined {
    const ingress = checkField("ingress", value, bad);
    if (value !== undefined && isMap(value) && (value.clusterIssuer === undefined) === (value.issuer === undefined)) {
        bad(
            "ingress",
            value,
            "set exactly one of clusterIssuer or issuer: the cert-manager issuer that signs the TLS certificate (an Ingress is served over HTTPS only)",
        );
        return undefined;
    }
    if (!ingress) {
        return undefined;
    }
    const { hosts, className, clusterIssuer, issuer, path } = ingress;
    return { hosts, className, issuer: clusterIssuer !== undefined ? { kind: "ClusterIssuer", name: clusterIssuer } : { kind: "Issuer", name: issuer! }, path };
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
        if (!(key in APP_FIELDS)) {
            problems.push(`${label}: unknown field "${key}"; allowed: ${APP_FIELD_NAMES.join(", ")}`);
        }
    }
    if (preset !== undefined && checkField("preset", preset, bad) === undefined) {
        return undefined;
    }
    const entry: Entry = { fields: preset !== undefined ? withPreset(preset as PresetName, raw) : raw, raw, preset: preset as PresetName | undefined, bad };
    const { fields } = entry;
    // A bad field is reported; the entry keeps going with its default, so every problem shows at once.
    const field = <K extends keyof typeof APP_FIELDS>(key: K, fallback: AppFieldValues[K]): AppFieldValues[K] => checkField(key, fields[key], bad) ?? fallback;
    const name = field("name", String(fields.name));
    const image = field("image", String(fields.image));
    const command = field("command", undefined);
    const args = field("args", undefined);
    const probeCommand = field("probeCommand", undefined);
    const ports = parsePorts(fields.ports, bad);
    const replicas = field("replicas", 1);
    const { env, secretEnv } = parseEnvironment(entry, keys);
    const { workspace, restartOnChange } = parseWorkspace(entry, command);
    const ingress = parseIngress(fields.ingress, bad);
    const expose = parseExposure(entry, ports);
    const volume = checkField("volume", fields.volume, bad);
    const strategy = parseStrategy(entry, replicas);
    const { schedule, successfulJobsHistoryLimit, failedJobsHistoryLimit } = parseCronSchedule(entry, expose);
    const resources = parseResources(entry);
    const probePath = field("probePath", undefined);
    const uses = field("uses", []);
    presetProblems(entry, name, secretEnv, replicas);
    return {
        name, image, command, args, ports, replicas, env, secretEnv, workspace, restartOnChange, expose, ingress, strategy, schedule,
        successfulJobsHistoryLimit, failedJobsHistoryLimit, resources, probePath, probeCommand, volume, preset: entry.preset, uses,
    };
}

/** env (plain settings) and secretEnv (names of Pulumi secret config keys, which must be set as secrets). */
function parseEnvironment({ fields, bad }: Entry, keys: SecretKeys): { env: Record<string, string>; secretEnv: Record<string, string> } {
    const env = checkField("env", fields.env, bad) ?? {};
    const secretEnv = checkField("secretEnv", fields.secretEnv, bad) ?? {};
    for (const [variable, key] of Object.entries(secretEnv)) {
        if (!ENV_NAME.test(variable) || typeof key !== "string" || !key.includes(":")) {
            bad(`secretEnv.${variable}`, key, 'name a Pulumi config key, e.g. "devkube:helloToken" (the value itself never goes here)');
        } else if (!keys.exists(key)) {
            bad(`secretEnv.${variable}`, key, `that config key is not set: pulumi config set --secret ${key} <value>`);
        } else if (!keys.isSecret(key)) {
            bad(`secretEnv.${variable}`, key, `that config key is stored in plain text; set it again with: pulumi config set --secret ${key} <value>`);
        }
    }
    return { env, secretEnv: secretEnv as Record<string, string> };
}

/** workspace (the share's mount) and restartOnChange, which needs it and a command. */
function parseWorkspace({ fields, bad }: Entry, command: string[] | undefined): { workspace: AppSpec["workspace"]; restartOnChange: boolean } {
    const workspace = checkField("workspace", fields.workspace, bad);
    const restartOnChange = checkField("restartOnChange", fields.restartOnChange, bad) ?? false;
    if (restartOnChange && !workspace) {
        bad("restartOnChange", restartOnChange, "use true or false; true needs a workspace mount to watch");
    } else if (restartOnChange && !(command && command.length > 0)) {
        bad("restartOnChange", restartOnChange, "restarting needs a command to restart, e.g. command: [node, server.js]");
    }
    return { workspace, restartOnChange };
}

/** expose: none unless the app has ports or an ingress; a Service needs ports. */
function parseExposure({ fields, raw, preset, bad }: Entry, ports: AppPort[]): AppExposure {
    const expose = fields.expose ?? (ports.length > 0 || fields.ingress !== undefined ? "ClusterIP" : "none");
    if (checkField("expose", expose, bad) === undefined) {
        return expose;
    }
    if (expose !== "none" && ports.length === 0) {
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
    if (checkField("strategy", strategy, bad) === undefined) {
        return strategy;
    }
    if (fields.volume !== undefined && (strategy !== "Recreate" || replicas > 1)) {
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
    checkField("schedule", schedule, bad);
    if (schedule !== undefined && fields.expose !== undefined && expose !== "none") {
        bad("expose", expose, "a scheduled app (CronJob) serves nothing; leave expose out");
    }
    if (schedule !== undefined && (fields.ingress !== undefined || fields.volume !== undefined || preset !== undefined)) {
        bad("schedule", schedule, "a scheduled app (CronJob) cannot have an ingress, its own volume or a preset; drop one of them");
    }
    return {
        schedule,
        successfulJobsHistoryLimit: checkField("successfulJobsHistoryLimit", fields.successfulJobsHistoryLimit, bad) ?? 2,
        failedJobsHistoryLimit: checkField("failedJobsHistoryLimit", fields.failedJobsHistoryLimit, bad) ?? 2,
    };
}

/** resources: the defaults, overridden field by field; no request above its limit. */
function parseResources({ fields, bad }: Entry): AppSpec["resources"] {
    const resources = checkField("resources", fields.resources, bad) ?? APP_FIELDS.resources.parse(undefined);
    for (const [request, limit] of [["cpu", "cpuLimit"], ["memory", "memoryLimit"]] as const) {
        const [r, l] = [tryParseQuantity(resources[request]), tryParseQuantity(resources[limit])];
        if (r.ok && l.ok && compareQuantities(r.quantity, l.quantity) > 0) {
            bad(`resources.${request}`, resources[request], `a request cannot exceed its limit (${limit} is ${JSON.stringify(resources[limit])}); lower ${request} or raise ${limit}`);
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
