// Typed, validated stack configuration. Everything here is a pure function of the raw
// config strings, so each rule is unit-tested without Pulumi; index.ts feeds it the real config.
import * as pulumi from "@pulumi/pulumi";
import * as pulumiRuntimeConfig from "@pulumi/pulumi/runtime/config";
import { AppSpec, appVolumeProblems, parseApps } from "./apps";
import { OWN_PODS_AT_MOST, environmentNeeds } from "./needs";
import { ConfigError, DNS_LABEL, Size, closest, parseSize, show } from "./common";
import type { SettingReader, TargetConfig } from "./target-config";
import { PRESETS, defaultPasswordKey } from "./presets";
import { DEFAULT_NAMESPACE, SERVICE_TYPES } from "../contract/identity";
import type { ServiceType } from "../contract/identity";

export { ConfigError, Size, parseSize };

export { SERVICE_TYPES };
export type { ServiceType };
export type { SettingReader, TargetConfig };

/**
 * The settings every target shares, and their defaults; each target adds its own (targets/). Pulumi.yaml
 * declares the same defaults for `pulumi config` users; a test keeps the two in step.
 */
export const COMMON_DEFAULTS = {
    target: "minikube",
    namespace: DEFAULT_NAMESPACE,
    workspaceSize: "10Gi",
    webServiceType: "",
    nfsMountOptions: ["nfsvers=4.1", "hard", "actimeo=1", "lookupcache=positive"],
    ide: false,
    maxPods: 40,
    apps: [] as unknown[],
} as const;

/** A devkube:* key without its prefix: a common setting, a target's own, or idePassword. */
export type ConfigKey = string;

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

export interface DevkubeConfig<S extends { readonly kind: string } = { readonly kind: string }> {
    /** The target's own settings, as its module parsed them. */
    readonly target: S;
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

/** Every key's default: the common ones and each target's. */
export function allDefaults(targets: readonly TargetConfig<any>[]): Record<string, unknown> {
    return Object.assign({}, COMMON_DEFAULTS, ...targets.map((t) => t.defaults));
}

/**
 * Reads and validates every key, the chosen target's through its own parser; throws ConfigError
 * listing all problems. `targets` is the registry (targets/index.ts), handed in so config knows none.
 */
export function parseConfigFor<S extends { readonly kind: string }>(raw: RawConfig, targets: readonly TargetConfig<S>[]): DevkubeConfig<S> {
    const problems: string[] = [];
    const defaults = allDefaults(targets);
    const text = (key: string): string => {
        const value = raw.get(key);
        return value === undefined ? String(defaults[key] ?? "") : value.trim();
    };
    const problem = (key: ConfigKey, value: string, allowed: string) =>
        problems.push(`devkube:${key}: got ${show(value)}; ${allowed}`);

    const targetText = text("target");
    const target = targets.find((t) => t.name === targetText);
    if (!target) {
        problem("target", targetText, `allowed: ${targets.map((t) => t.name).join(", ")}`);
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
    let webServiceType: ServiceType = target?.defaultWebServiceType ?? "NodePort";
    if (webText !== "") {
        if ((SERVICE_TYPES as readonly string[]).includes(webText)) {
            webServiceType = webText as ServiceType;
        } else {
            problem("webServiceType", webText, `allowed: ${SERVICE_TYPES.join(", ")}, or empty for the target's default`);
        }
    }
    const exposureProblem = target?.webServiceTypeProblem?.(webServiceType);
    if (exposureProblem) {
        problem("webServiceType", webText, exposureProblem);
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

    problems.push(...unknownKeyProblems(raw.keys?.() ?? [], raw.get("apps"), settingKeys(targets)));
    const parsedApps = parseApps(raw.get("apps"), raw.other ?? { exists: () => false, isSecret: () => false });
    problems.push(...parsedApps.problems);
    const apps = parsedApps.apps;
    const needs = environmentNeeds(webServiceType, apps);
    if (Number.isInteger(maxPods) && maxPods >= 5 && needs.pods > maxPods) {
        problem("maxPods", podsText, `the apps can run up to ${needs.appPods} pods at once (rolling updates included), plus up to ${OWN_PODS_AT_MOST} of devkube's own; raise it to at least ${needs.pods}`);
    }

    let settings: S | undefined;
    if (target) {
        settings = target.parse({
            text,
            isSet: (key) => raw.get(key) !== undefined && raw.get(key)!.trim() !== "",
            problem,
            report: (message) => problems.push(message),
            hasDigitalOceanToken: raw.hasDigitalOceanToken,
        });
        const rule = target.appVolumeProblems;
        if (rule) {
            problems.push(...appVolumeProblems(apps, (volume, field) => rule(volume, field, settings!), parsedApps.indexes));
        }
    }
    if (problems.length > 0 || !settings || !workspaceSize) {
        throw new ConfigError(problems);
    }
    return { target: settings, namespace, workspaceSize, webServiceType, nfsMountOptions, ide, maxPods, apps };
}

/** devkube's settings, as Pulumi.yaml declares them: the common keys, every target's, and idePassword. */
export function settingKeys(targets: readonly TargetConfig<any>[]): string[] {
    return [...new Set([...Object.keys(allDefaults(targets)), "idePassword"])];
}

/**
 * A devkube:* key that is neither a setting nor a secret an app names (secretEnv, a preset's default
 * password key) is a typo: the CLI no longer warns about undeclared keys, and the value would be ignored.
 */
export function unknownKeyProblems(keys: string[], appsText: string | undefined, settingNames: readonly string[]): string[] {
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
    const settings = settingNames.map((key) => `devkube:${key}`);
    return keys
        .filter((key) => key.startsWith("devkube:") && !settings.includes(key) && !named.has(key))
        .sort()
        .map((key) => `${key}: is not a devkube setting (did you mean ${closest(key, settings)}?); settings are declared in Pulumi.yaml; a key no app names any more: pulumi config rm ${key}`);
}

function parseMountOptions(value: string | undefined, problem: (value: string, allowed: string) => void): string[] {
    if (value === undefined) {
        return [...COMMON_DEFAULTS.nfsMountOptions];
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
