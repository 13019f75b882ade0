// Typed, validated stack configuration. Everything here is a pure function of the raw
// config strings, so each rule is unit-tested without Pulumi; index.ts feeds it the real config.
import * as pulumi from "@pulumi/pulumi";
import * as pulumiRuntimeConfig from "@pulumi/pulumi/runtime/config";
import { z } from "zod";
import { AppSpec, appVolumeProblems, parseApps } from "./apps";
import { APP_FIELD_NAMES } from "./app-fields";
import { OWN_PODS_AT_MOST, environmentNeeds } from "./needs";
import { ConfigError, DNS_LABEL, Size, closest, parseSize, show } from "./common";
import { Settings, Values, checkSettings, mergeSettings } from "./schema";
import type { SettingReader, TargetConfig } from "./target-config";
import { PRESETS, defaultPasswordKey } from "./presets";
import { PRIVATE_KEY_PROBLEM, SSH_KEY_RULE, sshKeyProblem } from "./ssh";
import { DEFAULT_NAMESPACE, SERVICE_TYPES } from "../contract/identity";
import type { ServiceType } from "../contract/identity";

export { ConfigError, parseSize };
export type { Size };

export { SERVICE_TYPES };
export type { ServiceType };
export type { SettingReader, TargetConfig };

const NAMESPACE_RULE = "use a lowercase DNS label of at most 40 characters, e.g. devkube";
const PODS_RULE = "use a whole number of pods from 5 to 1000 (the environment itself runs 3 or 4)";
const MOUNT_OPTIONS_RULE = 'use a JSON list of mount options, e.g. ["nfsvers=4.1","hard","actimeo=1","lookupcache=positive"]';

/** The settings every target shares; each target declares its own (targets/). */
export const COMMON_SETTINGS = {
    target: z
        .string()
        .default("minikube")
        .meta({ description: "Where the environment runs - digitalocean, minikube, baremetal, or kubeconfig (any existing cluster, from a kube context)." }),
    namespace: z
        .string()
        .regex(DNS_LABEL, NAMESPACE_RULE)
        .max(40, NAMESPACE_RULE)
        .default(DEFAULT_NAMESPACE)
        .meta({ description: "Kubernetes namespace of the environment (a DNS label)." }),
    workspaceSize: z
        .string()
        .refine((text) => parseSize(text) !== undefined, "use a whole number of Gi or Ti, e.g. 10Gi or 1Ti")
        .default("10Gi")
        .meta({ description: "Size of the workspace volume, a whole number of Gi or Ti (e.g. 10Gi)." }),
    webServiceType: z
        .enum(["", ...SERVICE_TYPES], `allowed: ${SERVICE_TYPES.join(", ")}, or empty for the target's default`)
        .default("")
        .meta({
            description:
                "How the web server is exposed - ClusterIP, NodePort or LoadBalancer; empty for the target default (ClusterIP on DigitalOcean and kubeconfig, NodePort elsewhere).",
        }),
    nfsMountOptions: z
        .array(z.string().regex(/^[^\s,]+$/, "each entry is one option without spaces or commas, e.g. actimeo=1"), MOUNT_OPTIONS_RULE)
        .default(["nfsvers=4.1", "hard", "actimeo=1", "lookupcache=positive"])
        .meta({ description: "NFS mount options of the share (nfs(5)); the defaults make an edit in one pod visible in another within about a second." }),
    ide: z
        .boolean("allowed: true, false")
        .default(false)
        .meta({ description: "Also run code-server (VS Code in the browser) on the share; needs devkube:idePassword." }),
    idePassword: z.string().default("").meta({
        description: "Password of the browser IDE; set it with `pulumi config set --secret devkube:idePassword ...` (a plain value is refused).",
        comment: "Not declared `secret: true`: Pulumi would then reject the empty default in every stack. The program\nitself refuses a password that was not set with --secret.",
    }),
    ssh: z
        .array(
            z.string(SSH_KEY_RULE).superRefine((line, context) => {
                const problem = sshKeyProblem(line);
                if (problem) {
                    context.addIssue({ code: "custom", message: problem, params: { conceal: problem === PRIVATE_KEY_PROBLEM } });
                }
            }),
            `use a list of public keys, e.g. ["ssh-ed25519 AAAAC3Nz... you@laptop"]`,
        )
        .default([])
        .meta({
            description:
                "Public keys that may log in over SSH to the editor's pod, for desktop IDEs (VS Code Remote-SSH, JetBrains Gateway); empty for no SSH. Reached only through kubectl port-forward (outputs sshPortForward, sshConfig).",
        }),
    maxPods: z
        .int(PODS_RULE)
        .min(5, PODS_RULE)
        .max(1000, PODS_RULE)
        .default(40)
        .meta({ description: "Pod quota of the environment's namespace (the environment itself runs 3 or 4 pods)." }),
    // Each entry's fields are checked against their schema (config/app-fields.ts) by parseApps, which also checks one app against another.
    apps: z
        .array(
            z.record(z.string(), z.unknown(), "each app is an object with at least name and image (or a preset)"),
            'use a list of apps, e.g. [{ name: hello, image: node:22.12.0-alpine }] (README "Apps")',
        )
        .default([])
        .meta({
            description:
                `Workloads beside the code - each an object with name and image (or a preset - postgres, redis) and optional ${APP_FIELD_NAMES.filter((f) => !["name", "image", "preset"].includes(f)).join(", ")} (README "Apps").`,
        }),
} as const satisfies Settings;

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

/** The checked config: the common keys as the schema gives them, and what devkube reads into them. */
export type DevkubeConfig<S extends { readonly kind: string } = { readonly kind: string }> = Pick<
    Values<typeof COMMON_SETTINGS>,
    "namespace" | "nfsMountOptions" | "ide" | "ssh" | "maxPods"
> & {
    /** The target's own settings, as its module parsed them. */
    readonly target: S;
    readonly workspaceSize: Size;
    /** devkube:webServiceType, or the target's default when it is empty. */
    readonly webServiceType: ServiceType;
    /** Workloads beside the code, from devkube:apps. */
    readonly apps: AppSpec[];
};

/** devkube's settings: the common keys and every target's, each declared once. */
export function allSettings(targets: readonly TargetConfig<any, any>[]): Settings {
    return mergeSettings(COMMON_SETTINGS, ...targets.map((t) => t.settings));
}

/**
 * Checks every key against the schema, the chosen target's through its own module; throws ConfigError
 * listing all problems. `targets` is the registry (targets/index.ts), handed in so config knows none.
 */
export function parseConfigFor<S extends { readonly kind: string }>(raw: RawConfig, targets: readonly TargetConfig<S, any>[]): DevkubeConfig<S> {
    const common = checkSettings(COMMON_SETTINGS, raw.get);
    const problems = [...common.problems];
    const values = common.values;
    const problem = (key: ConfigKey, value: string, allowed: string) => problems.push(`devkube:${key}: got ${show(value)}; ${allowed}`);

    const target = targets.find((t) => t.name === values.target);
    if (!target) {
        problem("target", values.target, `allowed: ${targets.map((t) => t.name).join(", ")}`);
    }

    const webServiceType: ServiceType = values.webServiceType || target?.defaultWebServiceType || "NodePort";
    const exposureProblem = common.bad.has("webServiceType") ? undefined : target?.webServiceTypeProblem?.(webServiceType);
    if (exposureProblem) {
        problem("webServiceType", values.webServiceType, exposureProblem);
    }
    if (values.ide) {
        problems.push(...passwordProblems(raw));
    }

    problems.push(...unknownKeyProblems(raw.keys?.() ?? [], raw.get("apps"), Object.keys(allSettings(targets))));
    const parsedApps = common.bad.has("apps")
        ? { apps: [], problems: [], indexes: [] }
        : parseApps(values.apps, raw.other ?? { exists: () => false, isSecret: () => false });
    problems.push(...parsedApps.problems);
    const apps = parsedApps.apps;
    const needs = environmentNeeds(webServiceType, apps);
    if (!common.bad.has("maxPods") && needs.pods > values.maxPods) {
        problem(
            "maxPods",
            String(values.maxPods),
            `the apps can run up to ${needs.appPods} pods at once (rolling updates included), plus up to ${OWN_PODS_AT_MOST} of devkube's own; raise it to at least ${needs.pods}`,
        );
    }

    let settings: S | undefined;
    if (target) {
        const own = checkSettings(target.settings, raw.get);
        problems.push(...own.problems);
        settings = target.parse(own.values, {
            isSet: (key) => raw.get(key) !== undefined && raw.get(key)!.trim() !== "",
            valid: (key) => !own.bad.has(key),
            problem,
            report: (message) => problems.push(message),
            hasDigitalOceanToken: raw.hasDigitalOceanToken,
        });
        const rule = target.appVolumeProblems;
        if (rule) {
            problems.push(...appVolumeProblems(apps, (volume, field) => rule(volume, field, settings!), parsedApps.indexes));
        }
    }
    const workspaceSize = parseSize(values.workspaceSize);
    if (problems.length > 0 || !settings || !workspaceSize) {
        throw new ConfigError(problems);
    }
    const { namespace, nfsMountOptions, ide, ssh, maxPods } = values;
    return { target: settings, namespace, workspaceSize, webServiceType, nfsMountOptions, ide, ssh, maxPods, apps };
}

/** The browser IDE's password: set, as a Pulumi secret, and not too short. */
function passwordProblems(raw: RawConfig): string[] {
    const password = raw.get("idePassword");
    if (password === undefined || password === "") {
        return [
            "devkube:idePassword: not set; the browser IDE (devkube:ide=true) needs a password: " +
                "pulumi config set --secret devkube:idePassword <password>",
        ];
    }
    if (!raw.isSecret("idePassword")) {
        return [
            "devkube:idePassword: is stored in plain text; set it again with --secret: " +
                "pulumi config set --secret devkube:idePassword <password>",
        ];
    }
    return password.length < 8 ? ["devkube:idePassword: is shorter than 8 characters; choose a longer one"] : [];
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
