// The fields of one devkube:apps entry, as one zod schema: each field's type, its rule with the text that
// says what is allowed, and its default. The entry's types are inferred from it, unknown fields are
// refused against it, and Pulumi.yaml's description of devkube:apps and the README list its fields. Rules
// across fields (a Service needs ports, a volume needs Recreate, a preset's password) stay in apps.ts.
import { z } from "zod";
import { isNegative, isZero, tryParseQuantity } from "../contract/quantity";
import { SERVICE_TYPES, WORKLOAD_NAMES } from "../contract/identity";
import { DNS_LABEL, isAbsolutePath, parseSize } from "./common";
import { PRESETS } from "./presets";

export const APP_EXPOSURES = ["none", ...SERVICE_TYPES] as const;
export type AppExposure = (typeof APP_EXPOSURES)[number];

/** Names devkube's own workloads use. */
export const RESERVED_NAMES: readonly string[] = Object.values(WORKLOAD_NAMES);
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const HOST_NAME = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/;
export const DEFAULT_RESOURCES = { cpu: "100m", memory: "128Mi", cpuLimit: "400m", memoryLimit: "256Mi" } as const;

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

/** An image reference with an explicit tag other than latest (or a digest). */
export function isPinnedImage(image: string): boolean {
    if (/@sha256:[0-9a-f]{64}$/.test(image)) {
        return true;
    }
    const lastSlash = image.lastIndexOf("/");
    const colon = image.lastIndexOf(":");
    return colon > lastSlash && colon < image.length - 1 && image.slice(colon + 1) !== "latest";
}

/** A quantity a container can ask for: one Kubernetes reads, above zero. */
function isPositiveQuantity(value: string): boolean {
    const parsed = tryParseQuantity(value);
    return parsed.ok && !isZero(parsed.quantity) && !isNegative(parsed.quantity);
}

const PORTS_RULE = "use a list of port numbers from 1 to 65535, or { port: 6167, servicePort: 8448 } entries";
const port = (rule: string) => z.int(rule).min(1, rule).max(65535, rule);
const strings = (rule: string) => z.array(z.string(rule), rule);
const WORKSPACE_RULE = 'use { subPath: "hello", workingDir: true } (subPath relative to the share; workingDir true or false)';
const VOLUME_RULE = 'use { size: "5Gi", mountPath: "/var/lib/postgresql/data" } and optionally storageClass: <a storage class of the cluster>';
const INGRESS_RULE = "use { hosts: [matrix.example.org], clusterIssuer: letsencrypt } (or issuer: <an Issuer in the namespace>), optionally className and path";
const CLASS_RULE = "name an ingress class as `kubectl get ingressclass` lists it, or leave it out for the cluster's default";
const MOUNT_PATH_RULE = "use an absolute directory in the container other than / and /workspace (the share), e.g. /var/lib/postgresql/data";
const STORAGE_CLASS_RULE = "name a storage class as `kubectl get storageclass` lists it, e.g. local-path, or leave it out";
const ENV_RULE = 'use a map of variable names to strings, e.g. { MY_NON_SECRET: "foo" }';
const HOSTS_RULE = "use a list of one or more lowercase DNS names, e.g. [matrix.example.org, example.org]";
const ISSUER_RULE = "name a cert-manager issuer as `kubectl get clusterissuer` (or issuer) lists it, e.g. letsencrypt";
const HISTORY_RULE = "use a whole number from 0 to 20";
const RESOURCES_RULE = 'use { cpu: "100m", memory: "128Mi", cpuLimit: "400m", memoryLimit: "256Mi" } (any of them)';
const QUANTITY_RULE = 'use non-zero Kubernetes quantities for cpu, memory, cpuLimit, memoryLimit, e.g. "100m", "256Mi"';
const quantity = z.string(QUANTITY_RULE).refine(isPositiveQuantity, QUANTITY_RULE);
const history = z.int(HISTORY_RULE).min(0, HISTORY_RULE).max(20, HISTORY_RULE).default(2);

/** Each field of an app entry; what a preset fills in is checked the same way (apps.ts merges it first). */
export const APP_FIELDS = {
    name: z
        .string("use a lowercase DNS label of at most 40 characters, e.g. hello")
        .regex(DNS_LABEL, "use a lowercase DNS label of at most 40 characters, e.g. hello")
        .max(40, "use a lowercase DNS label of at most 40 characters, e.g. hello")
        .refine((name) => !RESERVED_NAMES.includes(name), `each app needs a name of its own (${RESERVED_NAMES.join(", ")} are devkube's)`),
    preset: z.enum(PRESETS, `allowed: ${PRESETS.join(", ")}`).optional(),
    image: z
        .string("set an image with an explicit tag, e.g. node:22.12.0-alpine")
        .min(1, "set an image with an explicit tag, e.g. node:22.12.0-alpine")
        .refine(isPinnedImage, "pin an explicit tag other than latest (e.g. node:22.12.0-alpine), so the app does not change under you"),
    command: strings("use a list of strings").optional(),
    args: strings("use a list of strings").optional(),
    ports: z
        .array(z.union([port(PORTS_RULE), z.strictObject({ port: port(PORTS_RULE), servicePort: port(PORTS_RULE).optional() }, PORTS_RULE)], PORTS_RULE), PORTS_RULE)
        .default([])
        .transform((entries) => entries.map((entry) => (typeof entry === "number" ? { port: entry, servicePort: entry } : { port: entry.port, servicePort: entry.servicePort ?? entry.port }))),
    replicas: z.int("use a whole number from 0 to 20").min(0, "use a whole number from 0 to 20").max(20, "use a whole number from 0 to 20").default(1),
    env: z
        .record(z.string(ENV_RULE).regex(ENV_NAME, ENV_RULE), z.string(ENV_RULE), ENV_RULE)
        .default({}),
    secretEnv: z
        .record(z.string(), z.unknown(), 'use a map of variable names to secret config keys, e.g. { API_TOKEN: "devkube:helloToken" }')
        .default({}),
    workspace: z
        .strictObject(
            {
                subPath: z.string(WORKSPACE_RULE).refine((p) => !p.startsWith("/") && !p.split("/").includes(".."), WORKSPACE_RULE).default(""),
                workingDir: z.boolean(WORKSPACE_RULE).default(true),
            },
            WORKSPACE_RULE,
        )
        .optional(),
    restartOnChange: z.boolean("use true or false; true needs a workspace mount to watch").default(false),
    expose: z.enum(APP_EXPOSURES, `allowed: ${APP_EXPOSURES.join(", ")}`).optional(),
    ingress: z
        .strictObject(
            {
                hosts: z
                    .array(z.string(HOSTS_RULE).regex(HOST_NAME, HOSTS_RULE), HOSTS_RULE)
                    .min(1, HOSTS_RULE)
                    .refine((hosts) => new Set(hosts).size === hosts.length, "list each host once"),
                className: z.string(CLASS_RULE).regex(DNS_SUBDOMAIN, CLASS_RULE).optional(),
                clusterIssuer: z.string(ISSUER_RULE).regex(DNS_SUBDOMAIN, ISSUER_RULE).optional(),
                issuer: z.string(ISSUER_RULE).regex(DNS_SUBDOMAIN, ISSUER_RULE).optional(),
                path: z.string('use a URL path such as "/"').startsWith("/", 'use a URL path such as "/"').default("/"),
            },
            INGRESS_RULE,
        )
        .optional(),
    volume: z
        .strictObject(
            {
                size: z
                    .string("use a whole number of Gi or Ti, e.g. 5Gi")
                    .refine((text) => parseSize(text) !== undefined, "use a whole number of Gi or Ti, e.g. 5Gi")
                    .transform((text) => parseSize(text)!),
                mountPath: z
                    .string(MOUNT_PATH_RULE)
                    .refine((p) => isAbsolutePath(p) && p !== "/" && p !== "/workspace" && !p.startsWith("/workspace/"), MOUNT_PATH_RULE),
                storageClass: z.string(STORAGE_CLASS_RULE).regex(DNS_SUBDOMAIN, STORAGE_CLASS_RULE).optional(),
            },
            VOLUME_RULE,
        )
        .optional(),
    strategy: z.enum(["Recreate", "RollingUpdate"], "allowed: Recreate (single-writer apps), RollingUpdate").optional(),
    schedule: z
        .string('use a cron expression of five fields, e.g. "*/5 * * * *", or @hourly/@daily')
        .refine(isCronExpression, 'use a cron expression of five fields, e.g. "*/5 * * * *", or @hourly/@daily')
        .optional(),
    successfulJobsHistoryLimit: history,
    failedJobsHistoryLimit: history,
    resources: z
        .strictObject(
            { cpu: quantity.default(DEFAULT_RESOURCES.cpu), memory: quantity.default(DEFAULT_RESOURCES.memory), cpuLimit: quantity.default(DEFAULT_RESOURCES.cpuLimit), memoryLimit: quantity.default(DEFAULT_RESOURCES.memoryLimit) },
            RESOURCES_RULE,
        )
        .default(DEFAULT_RESOURCES),
    probePath: z.string('use an HTTP path such as "/" or "/healthz"').startsWith("/", 'use an HTTP path such as "/" or "/healthz"').optional(),
    probeCommand: strings("use a list of strings").min(1, "use a list of strings").optional(),
    uses: strings("use a list of the names of preset apps (postgres, redis) whose addresses this app needs, e.g. [db, cache]")
        .default([]),
} as const;

export type AppField = keyof typeof APP_FIELDS;
/** What each field holds once checked (defaults filled in). */
export type AppFieldValues = { readonly [K in AppField]: z.output<(typeof APP_FIELDS)[K]> };
export const APP_FIELD_NAMES = Object.keys(APP_FIELDS) as AppField[];

/** How one entry's checks report a problem: the field (or `field.sub`), the value as written, what is allowed. */
export type Bad = (field: string, value: unknown, allowed: string) => void;

/**
 * One field checked against its schema; every problem reported (a nested object's by its own field, an
 * unknown nested field by name). Returns the value with its defaults, or undefined when it is bad.
 */
export function checkField<K extends AppField>(field: K, value: unknown, bad: Bad): AppFieldValues[K] | undefined {
    const result = APP_FIELDS[field].safeParse(value);
    if (result.success) {
        return result.data as AppFieldValues[K];
    }
    const reported = new Set<string>();
    for (const issue of result.error.issues) {
        const nested = typeof issue.path[0] === "string" && isMap(value) && !REPORTED_WHOLE.includes(field);
        const where = nested ? `${field}.${String(issue.path[0])}` : field;
        if (issue.code === "unrecognized_keys" && issue.path.length > 0) {
            // In an entry of a list (ports is the one list of objects): its rule, and the field it does not know.
            issue.keys.forEach((key) => bad(field, value, `${PORTS_RULE} (a port has no field "${key}")`));
        } else if (issue.code === "unrecognized_keys") {
            issue.keys.forEach((key) => bad(field, value, `unknown field "${key}"; ${objectRule(field)}`));
        } else if (!reported.has(where)) {
            reported.add(where);
            bad(where, nested ? (value as Record<string, unknown>)[String(issue.path[0])] : value, issue.message);
        }
    }
    return undefined;
}

/** Fields whose problems are shown with the whole value: maps keyed by the user's names, and the two-field workspace. */
const REPORTED_WHOLE: readonly AppField[] = ["env", "secretEnv", "workspace"];

function objectRule(field: AppField): string {
    return field === "volume" ? VOLUME_RULE : field === "ingress" ? INGRESS_RULE : field === "workspace" ? WORKSPACE_RULE : RESOURCES_RULE;
}

export function isMap(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}
