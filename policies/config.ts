// Pack configuration: the schema each policy declares, and a hand-written validator that fails closed.
//
// How Pulumi delivers it: `pulumi preview --policy-pack ./policies --policy-pack-config config/<stack>.json`
// reads a JSON object keyed by POLICY NAME (plus "all", which may only carry an enforcement level):
//
//   { "devkube-resource-maxima": { "maxCpu": "2", "maxMemory": "2Gi" },
//     "devkube-probes": "mandatory" }
//
// Each policy's `args.getConfig()` returns only its own section (minus "enforcementLevel"); properties
// under "all" are not passed to any policy. So every setting belongs to exactly one policy (see
// POLICY_CONFIG_KEYS) and is written once, under that policy's name.

import type { EnforcementLevel, PolicyConfigSchema } from "@pulumi/policy";
import { describeValue, isNegative, isZero, tryParseQuantity } from "../contract/quantity";
import { DEFAULT_NAMESPACE, NFS_SERVER, SERVICE_TYPES } from "../contract/identity";
import type { ServiceType } from "../contract/identity";

export { SERVICE_TYPES };
export type { ServiceType };

/** Capabilities beyond the Pod Security "baseline" list, allowed on exactly one container. */
export interface NfsServerExemption {
    /** Workload kind, e.g. "Deployment" (exact match). */
    readonly kind: string;
    /** metadata.namespace of the workload (exact match). */
    readonly namespace: string;
    /** metadata.name of the workload (exact match; no prefix or pattern). */
    readonly name: string;
    /** Container name inside the pod template (exact match). */
    readonly container: string;
    /** Extra capabilities allowed on that container, e.g. ["DAC_READ_SEARCH"]. */
    readonly capabilities: readonly string[];
}

export interface PackConfig {
    /** Require limits.cpu on every container (default true). */
    readonly requireCpuLimit: boolean;
    /** Largest allowed limits.cpu, a Kubernetes quantity (default "2"). */
    readonly maxCpu: string;
    /** Largest allowed limits.memory, a Kubernetes quantity (default "2Gi"). */
    readonly maxMemory: string;
    /** Largest allowed limit / request ratio for cpu and memory (default 4). */
    readonly maxLimitToRequestRatio: number;
    /** Service types allowed besides ClusterIP (default ["ClusterIP"]). */
    readonly allowedServiceTypes: readonly ServiceType[];
    /** The single capability exemption: devkube's NFS server in the namespace `devkube` unless set (null: none). */
    readonly nfsServerExemption: NfsServerExemption | null;
}

export type PackConfigKey = keyof PackConfig;

export const DEFAULT_PACK_CONFIG: PackConfig = {
    requireCpuLimit: true,
    maxCpu: "2",
    maxMemory: "2Gi",
    maxLimitToRequestRatio: 4,
    allowedServiceTypes: ["ClusterIP"],
    nfsServerExemption: { ...NFS_SERVER, namespace: DEFAULT_NAMESPACE, capabilities: [...NFS_SERVER.capabilities] },
};

export const ALL_CONFIG_KEYS: readonly PackConfigKey[] = [
    "requireCpuLimit",
    "maxCpu",
    "maxMemory",
    "maxLimitToRequestRatio",
    "allowedServiceTypes",
    "nfsServerExemption",
];

/** Policy names, and which settings each one reads. Every policy of the pack is listed here. */
export const POLICY_CONFIG_KEYS: { readonly [policyName: string]: readonly PackConfigKey[] } = {
    "devkube-resource-requests-limits": ["requireCpuLimit"],
    "devkube-resource-maxima": ["maxCpu", "maxMemory"],
    "devkube-limit-request-ratio": ["maxLimitToRequestRatio"],
    "devkube-namespace-guards": [],
    "devkube-pod-security": ["nfsServerExemption"],
    "devkube-image-tag": [],
    "devkube-probes": [],
    "devkube-service-exposure": ["allowedServiceTypes"],
    "devkube-ingress-tls": [],
    "devkube-workspace-retained": [],
    "devkube-workload-name-label": [],
};

/** Where users change settings; used in violation messages. */
export const CONFIG_FILE_HINT = "policies/config/<stack>.json";

/** `"maxMemory" under "devkube-resource-maxima" in policies/config/<stack>.json` */
export function settingHint(policyName: string, key: PackConfigKey): string {
    return `${key} under "${policyName}" in ${CONFIG_FILE_HINT}`;
}

const PROPERTY_SCHEMAS: { readonly [K in PackConfigKey]: PolicyConfigSchema["properties"][string] } = {
    requireCpuLimit: {
        type: "boolean",
        default: DEFAULT_PACK_CONFIG.requireCpuLimit,
        description: "Require limits.cpu on every container.",
    },
    maxCpu: {
        type: "string",
        default: DEFAULT_PACK_CONFIG.maxCpu,
        description: 'Largest allowed limits.cpu (Kubernetes quantity, e.g. "2" or "1500m").',
    },
    maxMemory: {
        type: "string",
        default: DEFAULT_PACK_CONFIG.maxMemory,
        description: 'Largest allowed limits.memory (Kubernetes quantity, e.g. "2Gi").',
    },
    maxLimitToRequestRatio: {
        type: "number",
        minimum: 1,
        default: DEFAULT_PACK_CONFIG.maxLimitToRequestRatio,
        description: "Largest allowed limit/request ratio for cpu and memory.",
    },
    allowedServiceTypes: {
        type: "array",
        items: { type: "string", enum: [...SERVICE_TYPES] },
        default: [...DEFAULT_PACK_CONFIG.allowedServiceTypes],
        description: "Service types allowed (NodePort and LoadBalancer expose the service outside the cluster).",
    },
    nfsServerExemption: {
        type: "object",
        description: "The one workload container allowed extra capabilities (the in-cluster NFS server).",
        properties: {
            kind: { type: "string" },
            namespace: { type: "string" },
            name: { type: "string" },
            container: { type: "string" },
            capabilities: { type: "array", items: { type: "string" } },
        },
        required: ["kind", "namespace", "name", "container", "capabilities"],
        additionalProperties: false,
    },
};

/** The configSchema a policy declares: only the settings it reads (undefined when it reads none). */
export function configSchemaFor(policyName: string): PolicyConfigSchema | undefined {
    const keys = POLICY_CONFIG_KEYS[policyName];
    if (keys === undefined) {
        throw new Error(`policy "${policyName}" is missing from POLICY_CONFIG_KEYS in policies/config.ts`);
    }
    if (keys.length === 0) {
        return undefined;
    }
    const properties: PolicyConfigSchema["properties"] = {};
    for (const k of keys) {
        properties[k] = PROPERTY_SCHEMAS[k];
    }
    return { properties };
}

export interface ParseOptions {
    /** Keys accepted (default: all). Others are rejected as unknown. */
    readonly allowedKeys?: readonly PackConfigKey[];
    /** Name of the policy whose section this is, for messages. */
    readonly section?: string;
}

function isPlainObject(v: unknown): v is { [key: string]: unknown } {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

function typeName(v: unknown): string {
    return v === null ? "null" : Array.isArray(v) ? "array" : typeof v;
}

/**
 * Validates one policy's config section (or a flat object of settings) and fills in defaults.
 * Throws an Error naming the key, the bad value and what is allowed; never falls back to defaults for a
 * value that is present but wrong.
 */
export function parsePackConfig(raw: unknown, options: ParseOptions = {}): PackConfig {
    const allowed = options.allowedKeys ?? ALL_CONFIG_KEYS;
    const where = options.section
        ? `invalid policy pack config for "${options.section}" (${CONFIG_FILE_HINT})`
        : `invalid policy pack config (${CONFIG_FILE_HINT})`;
    const fail = (msg: string): never => {
        throw new Error(`${where}: ${msg}`);
    };
    if (raw === undefined || raw === null) {
        return DEFAULT_PACK_CONFIG;
    }
    if (!isPlainObject(raw)) {
        return fail(`expected an object of settings, got ${typeName(raw)} ${describeValue(raw)}`);
    }
    const out: { -readonly [K in PackConfigKey]: PackConfig[K] } = { ...DEFAULT_PACK_CONFIG };
    for (const key of Object.keys(raw)) {
        if (key === "enforcementLevel") {
            continue; // handled by the engine; the SDK strips it, a hand-written caller may not
        }
        if (!(allowed as readonly string[]).includes(key)) {
            const known = (ALL_CONFIG_KEYS as readonly string[]).includes(key);
            const allowedText = allowed.length ? allowed.join(", ") : "(none: this policy takes no settings)";
            const elsewhere = known
                ? ` ('${key}' belongs under ${Object.keys(POLICY_CONFIG_KEYS)
                      .filter((p) => POLICY_CONFIG_KEYS[p].includes(key as PackConfigKey))
                      .map((p) => `"${p}"`)
                      .join(", ")})`
                : "";
            fail(`unknown key '${key}'; allowed: ${allowedText}${elsewhere}`);
        }
        const value = raw[key];
        switch (key as PackConfigKey) {
            case "requireCpuLimit":
                if (typeof value !== "boolean") {
                    fail(`requireCpuLimit must be true or false, got ${typeName(value)} ${describeValue(value)}`);
                }
                out.requireCpuLimit = value as boolean;
                break;
            case "maxCpu":
            case "maxMemory": {
                if (typeof value !== "string") {
                    fail(`${key} must be a string quantity such as "2" or "2Gi", got ${typeName(value)} ${describeValue(value)}`);
                }
                const q = tryParseQuantity(value);
                if (!q.ok) {
                    fail(`${key}: ${q.reason}`);
                } else if (isZero(q.quantity) || isNegative(q.quantity)) {
                    fail(`${key} must be greater than zero, got ${describeValue(value)}`);
                }
                out[key as "maxCpu" | "maxMemory"] = value as string;
                break;
            }
            case "maxLimitToRequestRatio":
                if (typeof value !== "number" || !isFinite(value)) {
                    fail(`maxLimitToRequestRatio must be a number (e.g. 4), got ${typeName(value)} ${describeValue(value)}`);
                } else if (value < 1) {
                    fail(`maxLimitToRequestRatio must be at least 1 (a limit below the request is invalid), got ${value}`);
                }
                out.maxLimitToRequestRatio = value as number;
                break;
            case "allowedServiceTypes": {
                if (!Array.isArray(value)) {
                    fail(`allowedServiceTypes must be an array such as ["ClusterIP", "NodePort"], got ${typeName(value)} ${describeValue(value)}`);
                }
                const types: ServiceType[] = [];
                for (const t of value as unknown[]) {
                    if (typeof t !== "string" || !(SERVICE_TYPES as readonly string[]).includes(t)) {
                        fail(`allowedServiceTypes: ${describeValue(t)} is not a service type; allowed: ${SERVICE_TYPES.join(", ")}`);
                    }
                    types.push(t as ServiceType);
                }
                out.allowedServiceTypes = types;
                break;
            }
            case "nfsServerExemption":
                out.nfsServerExemption = value === null ? null : parseExemption(value, fail);
                break;
        }
    }
    return out;
}

const EXEMPTION_KEYS = ["kind", "namespace", "name", "container", "capabilities"];

function parseExemption(value: unknown, fail: (msg: string) => never): NfsServerExemption {
    if (!isPlainObject(value)) {
        return fail(`nfsServerExemption must be an object {kind, namespace, name, container, capabilities}, got ${typeName(value)}`);
    }
    for (const k of Object.keys(value)) {
        if (!EXEMPTION_KEYS.includes(k)) {
            fail(`nfsServerExemption: unknown key '${k}'; allowed: ${EXEMPTION_KEYS.join(", ")}`);
        }
    }
    const str = (k: string): string => {
        const v = value[k];
        if (typeof v !== "string" || v === "") {
            fail(`nfsServerExemption.${k} must be a non-empty string, got ${describeValue(v)}`);
        }
        return v as string;
    };
    const kind = str("kind");
    const namespace = str("namespace");
    const name = str("name");
    const container = str("container");
    const caps = value["capabilities"];
    if (!Array.isArray(caps) || caps.length === 0) {
        return fail(`nfsServerExemption.capabilities must be a non-empty array of capability names, got ${describeValue(caps)}`);
    }
    const capabilities: string[] = [];
    for (const c of caps) {
        if (typeof c !== "string" || !/^[A-Z][A-Z0-9_]*$/.test(c)) {
            fail(`nfsServerExemption.capabilities: ${describeValue(c)} is not a capability name such as "SYS_RESOURCE"`);
        }
        capabilities.push(c as string);
    }
    return { kind, namespace, name, container, capabilities };
}

export const ENFORCEMENT_LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

/** A --policy-pack-config file, checked as a whole. */
export interface PackConfigFile {
    readonly all?: EnforcementLevel;
    readonly policies: { readonly [policyName: string]: { enforcementLevel?: EnforcementLevel; config: PackConfig } };
}

/**
 * Validates a whole --policy-pack-config file: top-level keys must be "all" or policy names (the engine
 * silently ignores a misspelled policy name; this does not), values an enforcement level or an object
 * whose settings parse with parsePackConfig for that policy.
 */
export function parsePackConfigFile(json: unknown): PackConfigFile {
    if (!isPlainObject(json)) {
        throw new Error(`policy pack config file must be a JSON object keyed by policy name, got ${typeName(json)}`);
    }
    const policies: { [name: string]: { enforcementLevel?: EnforcementLevel; config: PackConfig } } = {};
    let all: EnforcementLevel | undefined;
    const level = (where: string, v: unknown): EnforcementLevel => {
        if (typeof v !== "string" || !(ENFORCEMENT_LEVELS as readonly string[]).includes(v)) {
            throw new Error(`${where}: ${describeValue(v)} is not an enforcement level; allowed: ${ENFORCEMENT_LEVELS.join(", ")}`);
        }
        return v as EnforcementLevel;
    };
    for (const key of Object.keys(json)) {
        const v = json[key];
        if (key === "all") {
            if (isPlainObject(v)) {
                const extra = Object.keys(v).filter((k) => k !== "enforcementLevel");
                if (extra.length) {
                    throw new Error(
                        `"all" can only set enforcementLevel; Pulumi does not pass other settings under "all" to policies ` +
                            `(found ${extra.join(", ")}): put each setting under the policy that reads it`,
                    );
                }
                all = v.enforcementLevel === undefined ? undefined : level('"all".enforcementLevel', v.enforcementLevel);
            } else {
                all = level('"all"', v);
            }
            continue;
        }
        if (POLICY_CONFIG_KEYS[key] === undefined) {
            throw new Error(`unknown policy '${key}' in policy pack config; policies: ${Object.keys(POLICY_CONFIG_KEYS).join(", ")}`);
        }
        if (typeof v === "string") {
            policies[key] = { enforcementLevel: level(`"${key}"`, v), config: DEFAULT_PACK_CONFIG };
        } else if (isPlainObject(v)) {
            const enforcementLevel = v.enforcementLevel === undefined ? undefined : level(`"${key}".enforcementLevel`, v.enforcementLevel);
            policies[key] = { enforcementLevel, config: parsePackConfig(v, { allowedKeys: POLICY_CONFIG_KEYS[key], section: key }) };
        } else {
            throw new Error(`"${key}": expected an enforcement level or an object of settings, got ${typeName(v)}`);
        }
    }
    return { all, policies };
}

/** Reads and validates the calling policy's own section. Every policy calls this first. */
export function policyConfig(args: { getConfig<T extends object>(): T }, policyName: string): PackConfig {
    const allowedKeys = POLICY_CONFIG_KEYS[policyName];
    if (allowedKeys === undefined) {
        throw new Error(`policy "${policyName}" is missing from POLICY_CONFIG_KEYS in policies/config.ts`);
    }
    return parsePackConfig(args.getConfig<object>(), { allowedKeys, section: policyName });
}
