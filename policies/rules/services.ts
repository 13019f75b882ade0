// Services stay inside the cluster unless the stack's config allows more.
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configSchemaFor, policyConfig, settingHint } from "../config";
import { Deferred, describeWorkload, isObject } from "../podspec";
import { describeValue } from "../quantity";

export const SERVICE_EXPOSURE = "devkube-service-exposure";
export const SERVICE_TYPE = "kubernetes:core/v1:Service";

const EXPOSING_TYPES = ["NodePort", "LoadBalancer"];

export const serviceExposurePolicy: ResourceValidationPolicy = {
    name: SERVICE_EXPOSURE,
    description:
        "Services are NodePort or LoadBalancer only where the stack's config lists the type in allowedServiceTypes, and never set externalIPs.",
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: configSchemaFor(SERVICE_EXPOSURE),
    validateResource: (args, reportViolation) => {
        const cfg = policyConfig(args, SERVICE_EXPOSURE);
        if (args.type !== SERVICE_TYPE) {
            args.notApplicable(`policy only applies to ${SERVICE_TYPE}`);
        }
        const what = describeWorkload("Service", args.props, args.name);
        const spec = args.props.spec;
        if (!isObject(spec)) {
            return;
        }
        const d = new Deferred();
        d.run(() => {
            const type: unknown = spec.type;
            if (typeof type === "string" && EXPOSING_TYPES.includes(type) && !(cfg.allowedServiceTypes as readonly string[]).includes(type)) {
                reportViolation(
                    `${what}: spec.type is "${type}", which exposes it outside the cluster and is not allowed for this stack ` +
                        `(allowed: ${cfg.allowedServiceTypes.join(", ")}); use ClusterIP, or add "${type}" to ` +
                        `${settingHint(SERVICE_EXPOSURE, "allowedServiceTypes")}`,
                );
            }
        });
        d.run(() => {
            const ips: unknown = spec.externalIPs;
            if (Array.isArray(ips) && ips.length > 0) {
                reportViolation(`${what}: spec.externalIPs is set (${describeValue(ips)}); remove it (externalIPs are never allowed)`);
            }
        });
        d.finish();
    },
};
