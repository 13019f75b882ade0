// Every Namespace the stack creates is guarded by a ResourceQuota and a LimitRange inside it.
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { policyConfig } from "../config";
import { isObject, isUnknownValueError } from "../podspec";

export const NAMESPACE_GUARDS = "devkube-namespace-guards";
export const NAMESPACE_TYPE = "kubernetes:core/v1:Namespace";
export const RESOURCE_QUOTA_TYPE = "kubernetes:core/v1:ResourceQuota";
export const LIMIT_RANGE_TYPE = "kubernetes:core/v1:LimitRange";

/** A metadata field: its string value, UNKNOWN during preview, or undefined when absent. */
const UNKNOWN = "\u0000<unknown during preview>";

function metadataField(r: PolicyResource, field: "name" | "namespace"): string | undefined {
    try {
        const m: unknown = r.props.metadata;
        const v = isObject(m) ? m[field] : undefined;
        return typeof v === "string" && v !== "" ? v : undefined;
    } catch (e) {
        if (isUnknownValueError(e)) {
            return UNKNOWN;
        }
        throw e;
    }
}

export const namespaceGuardsPolicy: StackValidationPolicy = {
    name: NAMESPACE_GUARDS,
    description: "Every Namespace the stack creates has a ResourceQuota and a LimitRange in it.",
    enforcementLevel: "mandatory",
    severity: "medium",
    validateStack: (args, reportViolation) => {
        policyConfig(args, NAMESPACE_GUARDS);
        const namespaces = args.resources.filter((r) => r.type === NAMESPACE_TYPE);
        if (namespaces.length === 0) {
            args.notApplicable("the stack creates no Namespace");
        }
        const guards: [string, (string | undefined)[]][] = [
            ["ResourceQuota", args.resources.filter((r) => r.type === RESOURCE_QUOTA_TYPE).map((r) => metadataField(r, "namespace"))],
            ["LimitRange", args.resources.filter((r) => r.type === LIMIT_RANGE_TYPE).map((r) => metadataField(r, "namespace"))],
        ];
        for (const ns of namespaces) {
            const name = metadataField(ns, "name");
            for (const [kind, inNamespaces] of guards) {
                if (name !== undefined && name !== UNKNOWN) {
                    if (inNamespaces.includes(name)) {
                        continue;
                    }
                    if (inNamespaces.includes(UNKNOWN)) {
                        continue; // undecidable during preview: checked again with known values on `up`
                    }
                    reportViolation(
                        `Namespace "${name}" has no ${kind}: no ${kind} in the stack has metadata.namespace "${name}"; ` +
                            `create one in it (metadata.namespace: the namespace's metadata.name)`,
                        ns.urn,
                    );
                } else if (inNamespaces.length === 0) {
                    // Whatever the name turns out to be, there is no such guard at all.
                    reportViolation(`Namespace ${ns.name} (Pulumi name) has no ${kind}: the stack creates no ${kind}; create one in it`, ns.urn);
                }
                // An unknown (or absent) name with some guards present cannot be matched during preview.
            }
        }
    },
};
