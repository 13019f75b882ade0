// Resource requests and limits on every container and init container.
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configSchemaFor, policyConfig, settingHint } from "../config";
import { ContainerSite, Deferred, isObject, Json, containersOf, podSpecOrNotApplicable } from "../podspec";
import {
    Quantity,
    compareQuantities,
    describeValue,
    formatRatio,
    isNegative,
    isZero,
    parseQuantity,
    ratioExceeds,
    toBytes,
    toMillicores,
    tryParseQuantity,
} from "../../contract/quantity";

export const REQUESTS_LIMITS = "devkube-resource-requests-limits";
export const MAXIMA = "devkube-resource-maxima";
export const RATIO = "devkube-limit-request-ratio";

type Section = "requests" | "limits";
type Resource = "cpu" | "memory";

const EXAMPLE: { [R in Resource]: string } = { cpu: '"250m"', memory: '"256Mi"' };

/** Reads resources.<section>.<resource>; undefined when absent. May throw UnknownValueError. */
function rawValue(c: ContainerSite, section: Section, resource: Resource): Json {
    const resources: Json = c.container.resources;
    if (!isObject(resources)) {
        return undefined;
    }
    const s: Json = resources[section];
    return isObject(s) ? s[resource] : undefined;
}

/** A valid, positive quantity, or undefined (absent/invalid values are reported by REQUESTS_LIMITS). */
function validValue(c: ContainerSite, section: Section, resource: Resource): Quantity | undefined {
    const v = rawValue(c, section, resource);
    if (v === undefined || v === null) {
        return undefined;
    }
    const r = tryParseQuantity(v);
    return r.ok && !isZero(r.quantity) && !isNegative(r.quantity) ? r.quantity : undefined;
}

export const requestsLimitsPolicy: ResourceValidationPolicy = {
    name: REQUESTS_LIMITS,
    description:
        "Every container and init container sets requests.cpu, requests.memory, limits.memory and (unless " +
        "requireCpuLimit is false) limits.cpu to valid, non-zero Kubernetes quantities.",
    enforcementLevel: "mandatory",
    severity: "medium",
    configSchema: configSchemaFor(REQUESTS_LIMITS),
    validateResource: (args, reportViolation) => {
        const cfg = policyConfig(args, REQUESTS_LIMITS);
        const site = podSpecOrNotApplicable(args);
        const d = new Deferred();
        if (site.podSpec === undefined) {
            reportViolation(`${site.workload}: ${site.path} is missing, so no container sets resource requests or limits`);
        }
        const required: [Section, Resource][] = [
            ["requests", "cpu"],
            ["requests", "memory"],
            ["limits", "memory"],
        ];
        if (cfg.requireCpuLimit) {
            required.push(["limits", "cpu"]);
        }
        for (const c of containersOf(site, d)) {
            for (const [section, resource] of required) {
                d.run(() => {
                    const field = `resources.${section}.${resource}`;
                    const v = rawValue(c, section, resource);
                    const fixHint = section === "limits" && resource === "cpu" ? ` (or set ${settingHint(REQUESTS_LIMITS, "requireCpuLimit")} to false)` : "";
                    if (v === undefined || v === null) {
                        reportViolation(`${c.label}: ${field} is missing; set it, e.g. ${EXAMPLE[resource]}${fixHint}`);
                        return;
                    }
                    const r = tryParseQuantity(v);
                    if (!r.ok) {
                        reportViolation(`${c.label}: ${field}: ${r.reason}`);
                    } else if (isZero(r.quantity)) {
                        reportViolation(`${c.label}: ${field} ${describeValue(v)} is zero; it must be non-zero, e.g. ${EXAMPLE[resource]}`);
                    } else if (isNegative(r.quantity)) {
                        reportViolation(`${c.label}: ${field} ${describeValue(v)} is negative; it must be positive, e.g. ${EXAMPLE[resource]}`);
                    }
                });
            }
            // Values present but not required (limits.cpu with requireCpuLimit=false) must still parse.
            if (!cfg.requireCpuLimit) {
                d.run(() => {
                    const v = rawValue(c, "limits", "cpu");
                    if (v !== undefined && v !== null) {
                        const r = tryParseQuantity(v);
                        if (!r.ok) {
                            reportViolation(`${c.label}: resources.limits.cpu: ${r.reason}`);
                        } else if (isZero(r.quantity) || isNegative(r.quantity)) {
                            reportViolation(`${c.label}: resources.limits.cpu ${describeValue(v)} must be positive; remove it or set e.g. "500m"`);
                        }
                    }
                });
            }
        }
        d.finish();
    },
};

export const maximaPolicy: ResourceValidationPolicy = {
    name: MAXIMA,
    description: "No container or init container has limits.cpu or limits.memory above the configured maximum (maxCpu, maxMemory).",
    enforcementLevel: "mandatory",
    severity: "medium",
    configSchema: configSchemaFor(MAXIMA),
    validateResource: (args, reportViolation) => {
        const cfg = policyConfig(args, MAXIMA);
        const site = podSpecOrNotApplicable(args);
        const d = new Deferred();
        const maxima: { [R in Resource]: { q: Quantity; key: "maxCpu" | "maxMemory"; unit: (q: Quantity) => string } } = {
            cpu: { q: parseQuantity(cfg.maxCpu), key: "maxCpu", unit: toMillicores },
            memory: { q: parseQuantity(cfg.maxMemory), key: "maxMemory", unit: toBytes },
        };
        for (const c of containersOf(site, d)) {
            for (const resource of ["cpu", "memory"] as Resource[]) {
                d.run(() => {
                    const limit = validValue(c, "limits", resource);
                    const max = maxima[resource];
                    if (limit !== undefined && compareQuantities(limit, max.q) > 0) {
                        reportViolation(
                            `${c.label}: limits.${resource} "${limit.text}" (${max.unit(limit)}) is above the maximum ` +
                                `${max.q.text} (${max.unit(max.q)}; ${settingHint(MAXIMA, max.key)}); lower it or raise the maximum`,
                        );
                    }
                });
            }
        }
        d.finish();
    },
};

export const ratioPolicy: ResourceValidationPolicy = {
    name: RATIO,
    description: "A container's limit is at most maxLimitToRequestRatio times its request (cpu and memory), so requests reflect real use.",
    enforcementLevel: "advisory",
    severity: "low",
    configSchema: configSchemaFor(RATIO),
    validateResource: (args, reportViolation) => {
        const cfg = policyConfig(args, RATIO);
        const site = podSpecOrNotApplicable(args);
        const d = new Deferred();
        for (const c of containersOf(site, d)) {
            for (const resource of ["cpu", "memory"] as Resource[]) {
                d.run(() => {
                    const limit = validValue(c, "limits", resource);
                    const request = validValue(c, "requests", resource);
                    if (limit !== undefined && request !== undefined && ratioExceeds(limit, request, cfg.maxLimitToRequestRatio)) {
                        reportViolation(
                            `${c.label}: limits.${resource} "${limit.text}" is ${formatRatio(limit, request)} times requests.${resource} ` +
                                `"${request.text}", above ${cfg.maxLimitToRequestRatio} (${settingHint(RATIO, "maxLimitToRequestRatio")}); ` +
                                `raise the request or lower the limit`,
                        );
                    }
                });
            }
        }
        d.finish();
    },
};
