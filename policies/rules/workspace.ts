// The workspace (the user's code) survives `pulumi destroy` and `pulumi destroy --exclude-protected`.
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { policyConfig } from "../config";
import { Deferred, isObject } from "../podspec";
import { describeValue } from "../../contract/quantity";
import { ROLES, ROLE_LABEL, TYPES, VOLUME_TAGS } from "../../contract/identity";

export const WORKSPACE_RETAINED = "devkube-workspace-retained";
export const DO_PROVIDER_TYPE = "pulumi:providers:digitalocean";

/**
 * Component resources own nothing outside Pulumi, so `destroy` removing them loses nothing. Policies see no
 * custom/component flag, so components are recognised by type: the stack, devkube's own components
 * (devkube:<area>:<Type>) and the Kubernetes SDK's component types.
 */
const COMPONENT_TYPES = [
    "pulumi:pulumi:Stack",
    "kubernetes:yaml:ConfigFile",
    "kubernetes:yaml:ConfigGroup",
    "kubernetes:yaml/v2:ConfigFile",
    "kubernetes:yaml/v2:ConfigGroup",
    "kubernetes:helm.sh/v3:Chart",
    "kubernetes:helm.sh/v4:Chart",
    "kubernetes:kustomize:Directory",
    "kubernetes:kustomize/v2:Directory",
];

export function isComponentType(type: string): boolean {
    return COMPONENT_TYPES.includes(type) || type.startsWith("devkube:");
}

/** The role label of a PersistentVolume that holds user data, or undefined. */
function dataRole(r: PolicyResource, d: Deferred): string | undefined {
    if (r.type !== TYPES.persistentVolume) {
        return undefined;
    }
    let result: string | undefined;
    d.run(() => {
        const m: unknown = r.props.metadata;
        const labels: unknown = isObject(m) ? m.labels : undefined;
        const role = isObject(labels) ? labels[ROLE_LABEL] : undefined;
        result = role === ROLES.workspace || role === ROLES.appData ? role : undefined;
    });
    return result;
}

/** How a message names what the volume holds (by its role label or DigitalOcean tag, contract/identity.ts). */
function holds(role: string | undefined, r: PolicyResource): string {
    const tags: unknown = r.props.tags;
    return role === ROLES.appData || (r.type === TYPES.doVolume && Array.isArray(tags) && tags.includes(VOLUME_TAGS.appData)) ? "an app's own data" : "the workspace";
}

/** Direct dependencies: `dependencies` plus every `propertyDependencies` entry (not `parent`). */
function directDependencies(r: PolicyResource): PolicyResource[] {
    const out = [...(r.dependencies ?? [])];
    for (const key of Object.keys(r.propertyDependencies ?? {})) {
        out.push(...r.propertyDependencies[key]);
    }
    return out;
}

/** Every resource the volume depends on, transitively, with the chain that leads to it. */
function transitiveDependencies(root: PolicyResource): { resource: PolicyResource; chain: string[] }[] {
    const seen = new Set<string>([root.urn]);
    const out: { resource: PolicyResource; chain: string[] }[] = [];
    const queue: { resource: PolicyResource; chain: string[] }[] = directDependencies(root).map((r) => ({ resource: r, chain: [r.name] }));
    while (queue.length > 0) {
        const item = queue.shift() as { resource: PolicyResource; chain: string[] };
        if (seen.has(item.resource.urn)) {
            continue;
        }
        seen.add(item.resource.urn);
        out.push(item);
        for (const next of directDependencies(item.resource)) {
            queue.push({ resource: next, chain: [...item.chain, next.name] });
        }
    }
    return out;
}

export const workspaceRetainedPolicy: StackValidationPolicy = {
    name: WORKSPACE_RETAINED,
    description:
        `User data (a DigitalOcean Volume, or a PersistentVolume labelled ${ROLE_LABEL}: ${ROLES.workspace} or ${ROLES.appData}) ` +
        "is protected or (PV) has reclaim policy Retain; a DigitalOcean Volume depends on no custom resource a destroy deletes " +
        "(never on the cluster), so the next `up` finds the same volume by the name config gives it.",
    enforcementLevel: "mandatory",
    severity: "critical",
    validateStack: (args, reportViolation) => {
        policyConfig(args, WORKSPACE_RETAINED);
        const d = new Deferred();
        const workspaces = args.resources.filter((r) => r.type === TYPES.doVolume || dataRole(r, d) !== undefined);
        if (workspaces.length === 0) {
            d.finish();
            args.notApplicable("the stack has no workspace volume");
        }
        for (const w of workspaces) {
            const protectedNow = w.opts !== undefined && w.opts.protect === true;
            if (w.type === TYPES.persistentVolume) {
                d.run(() => {
                    const spec: unknown = w.props.spec;
                    const reclaim: unknown = isObject(spec) ? spec.persistentVolumeReclaimPolicy : undefined;
                    const what = `PersistentVolume ${w.name} (${holds(dataRole(w, d), w)})`;
                    if (reclaim === "Delete" || reclaim === "Recycle") {
                        reportViolation(
                            `${what}: spec.persistentVolumeReclaimPolicy is "${reclaim}", which wipes it when its claim is deleted; set it to "Retain"`,
                            w.urn,
                        );
                    } else if (!protectedNow && reclaim !== "Retain") {
                        reportViolation(
                            `${what}: spec.persistentVolumeReclaimPolicy is ${reclaim === undefined ? "not set" : describeValue(reclaim)} ` +
                                `and the resource is not protected; set persistentVolumeReclaimPolicy: "Retain" or the resource option protect: true`,
                            w.urn,
                        );
                    }
                });
                continue;
            }
            // Every destroy forgets it (retainOnDelete, which a policy pack cannot see: the program's tests
            // assert it); what it must not do is depend on what a destroy deletes.
            const what = `DigitalOcean Volume ${w.name} (${holds(undefined, w)})`;
            for (const { resource: dep, chain } of transitiveDependencies(w)) {
                const via = chain.length > 1 ? ` (via ${chain.slice(0, -1).join(" -> ")})` : "";
                if (dep.type === TYPES.doCluster) {
                    reportViolation(
                        `${what} depends on the Kubernetes cluster ${dep.name}${via}; every destroy deletes the cluster and a new one ` +
                            `comes each morning, so the volume would change with it (and \`pulumi destroy --exclude-protected\` would keep the ` +
                            `cluster and its bill for it): remove that dependency (take region/names from config, not from the cluster)`,
                        w.urn,
                    );
                } else if (dep.type !== DO_PROVIDER_TYPE && !isComponentType(dep.type) && !(dep.opts !== undefined && dep.opts.protect === true)) {
                    reportViolation(
                        `${what} depends on ${dep.type} ${dep.name}${via}, which is not protected; a destroy deletes it and the next up ` +
                            `makes it anew, so the volume's name (how the next up finds it) or size could change: take them from config`,
                        w.urn,
                    );
                }
            }
        }
        d.finish();
    },
};
