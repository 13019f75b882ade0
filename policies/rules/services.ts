// Services stay inside the cluster unless the stack's config allows more.
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configSchemaFor, policyConfig, settingHint } from "../config";
import { Deferred, describeWorkload, isObject } from "../podspec";
import { describeValue } from "../../contract/quantity";

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

export const INGRESS_TLS = "devkube-ingress-tls";
export const INGRESS_TYPES = ["kubernetes:networking.k8s.io/v1:Ingress", "kubernetes:networking.k8s.io/v1beta1:Ingress", "kubernetes:extensions/v1beta1:Ingress"];

export const ingressTlsPolicy: ResourceValidationPolicy = {
    name: INGRESS_TLS,
    description: "Every host an Ingress serves is listed under spec.tls (HTTPS), and every rule names a host (no catch-all).",
    enforcementLevel: "mandatory",
    severity: "high",
    validateResource: (args, reportViolation) => {
        policyConfig(args, INGRESS_TLS);
        if (!INGRESS_TYPES.includes(args.type)) {
            args.notApplicable(`policy only applies to ${INGRESS_TYPES[0]}`);
        }
        const what = describeWorkload("Ingress", args.props, args.name);
        const spec = args.props.spec;
        if (!isObject(spec)) {
            return;
        }
        const d = new Deferred();
        d.run(() => {
            const rules: unknown = spec.rules;
            const tls: unknown = spec.tls;
            const covered = new Set<unknown>(Array.isArray(tls) ? tls.flatMap((t) => (isObject(t) && Array.isArray(t.hosts) ? t.hosts : [])) : []);
            if (isObject(spec.defaultBackend) || !Array.isArray(rules) || rules.length === 0) {
                reportViolation(`${what}: has a default backend or no rules, so it answers for any host; give every rule a host and leave defaultBackend out`);
                return;
            }
            for (const rule of rules) {
                const host: unknown = isObject(rule) ? rule.host : undefined;
                if (typeof host !== "string" || host === "") {
                    reportViolation(`${what}: a rule has no host, so it answers for any host; give it a host name`);
                } else if (!covered.has(host)) {
                    reportViolation(
                        `${what}: host ${describeValue(host)} is served over plain HTTP; list it under spec.tls with a certificate ` +
                            `(devkube does this when the app's ingress names a cert-manager clusterIssuer or issuer)`,
                    );
                }
            }
        });
        d.finish();
    },
};
