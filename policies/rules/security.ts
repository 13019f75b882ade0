// Pod security: the Kubernetes Pod Security "baseline" profile, minus what devkube never needs, plus one
// narrow, config-driven capability exemption for the in-cluster NFS server.
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { NfsServerExemption, configSchemaFor, policyConfig, settingHint } from "../config";
import { ContainerSite, Deferred, PodSpecSite, containersOf, isObject, Json, podSpecOrNotApplicable, readForDisplay } from "../podspec";
import { describeValue } from "../../contract/quantity";

export const POD_SECURITY = "devkube-pod-security";

const UNSET_ESCALATION = "securityContext.allowPrivilegeEscalation is not set, and Kubernetes then allows privilege escalation; set it to false";

/** Capabilities the Pod Security "baseline" profile allows containers to add. */
export const BASELINE_CAPABILITIES: readonly string[] = [
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

/** "cap_sys_admin" and "SYS_ADMIN" name the same capability. */
export function normalizeCapability(cap: string): string {
    const upper = cap.toUpperCase();
    return upper.startsWith("CAP_") ? upper.slice(4) : upper;
}

/**
 * The extra capabilities allowed on this container: the exemption's list when kind, metadata.namespace,
 * metadata.name and the container name ALL match exactly, else none. May throw UnknownValueError (e.g. a
 * namespace that is an output of another resource during preview).
 */
export function exemptCapabilities(exemption: NfsServerExemption | null, site: PodSpecSite, props: Json, c: ContainerSite): readonly string[] {
    if (exemption === null || site.kind !== exemption.kind) {
        return [];
    }
    const metadata: Json = props.metadata;
    if (!isObject(metadata)) {
        return [];
    }
    if (metadata.namespace !== exemption.namespace || metadata.name !== exemption.name) {
        return [];
    }
    return c.container.name === exemption.container ? exemption.capabilities.map(normalizeCapability) : [];
}

export const podSecurityPolicy: ResourceValidationPolicy = {
    name: POD_SECURITY,
    description:
        "No privileged containers, privilege escalation, host namespaces, hostPath volumes or hostPorts; added " +
        "capabilities only from the Pod Security baseline list (plus the configured NFS server exemption).",
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: configSchemaFor(POD_SECURITY),
    validateResource: (args, reportViolation) => {
        const cfg = policyConfig(args, POD_SECURITY);
        const site = podSpecOrNotApplicable(args);
        const spec = site.podSpec;
        const d = new Deferred();
        if (spec !== undefined) {
            for (const field of ["hostNetwork", "hostPID", "hostIPC"]) {
                d.run(() => {
                    if (spec[field] === true) {
                        reportViolation(`${site.workload}: ${site.path}.${field} is true; remove it (pods must not share the node's namespaces)`);
                    }
                });
            }
            d.run(() => {
                const volumes: Json = spec.volumes;
                if (!Array.isArray(volumes)) {
                    return;
                }
                volumes.forEach((v: Json, i: number) =>
                    d.run(() => {
                        if (isObject(v) && v.hostPath !== undefined && v.hostPath !== null) {
                            const name = readForDisplay(() => v.name, `#${i}`);
                            const path = readForDisplay(() => (isObject(v.hostPath) ? v.hostPath.path : undefined), undefined);
                            reportViolation(
                                `${site.workload}: volume ${describeValue(name)} (${site.path}.volumes[${i}]) is a hostPath volume` +
                                    `${path !== undefined ? ` of ${describeValue(path)}` : ""}; use a PersistentVolumeClaim instead`,
                            );
                        }
                    }),
                );
            });
        }
        for (const c of containersOf(site, d)) {
            d.run(() => {
                const sc: Json = c.container.securityContext;
                if (!isObject(sc)) {
                    reportViolation(`${c.label}: ${UNSET_ESCALATION}`);
                    return;
                }
                d.run(() => {
                    if (sc.privileged === true) {
                        reportViolation(`${c.label}: securityContext.privileged is true; remove it and add only the capabilities the container needs`);
                    }
                });
                d.run(() => {
                    // Unset, Kubernetes allows escalation (a setuid binary gains privileges): only an explicit false stops it.
                    const value: Json = sc.allowPrivilegeEscalation;
                    if (value === undefined || value === null) {
                        reportViolation(`${c.label}: ${UNSET_ESCALATION}`);
                    } else if (value !== false) {
                        reportViolation(`${c.label}: securityContext.allowPrivilegeEscalation is ${describeValue(value)}; set it to false`);
                    }
                });
                d.run(() => {
                    const caps: Json = sc.capabilities;
                    const add: Json = isObject(caps) ? caps.add : undefined;
                    if (!Array.isArray(add) || add.length === 0) {
                        return;
                    }
                    const exemption = cfg.nfsServerExemption;
                    const exemptionCaps = exemption === null ? [] : exemption.capabilities.map(normalizeCapability);
                    add.forEach((cap: Json) =>
                        d.run(() => {
                            const norm = typeof cap === "string" ? normalizeCapability(cap) : "";
                            if (BASELINE_CAPABILITIES.includes(norm)) {
                                return;
                            }
                            // Only a capability on the exemption's list needs the (possibly unknown) match.
                            const exempt = exemptionCaps.includes(norm) ? exemptCapabilities(exemption, site, args.props, c) : [];
                            if (exempt.includes(norm)) {
                                return;
                            }
                            const how =
                                `only the Pod Security baseline capabilities are allowed (${BASELINE_CAPABILITIES.join(", ")}); ` +
                                `the one exemption is ${settingHint(POD_SECURITY, "nfsServerExemption")}, matched exactly on kind, namespace, name and container`;
                            reportViolation(`${c.label}: securityContext.capabilities.add contains ${describeValue(cap)}; remove it: ${how}`);
                        }),
                    );
                });
            });
            d.run(() => {
                const ports: Json = c.container.ports;
                if (!Array.isArray(ports)) {
                    return;
                }
                ports.forEach((p: Json, i: number) =>
                    d.run(() => {
                        if (isObject(p) && p.hostPort !== undefined && p.hostPort !== null && p.hostPort !== 0) {
                            reportViolation(`${c.label}: ports[${i}].hostPort is ${describeValue(p.hostPort)}; remove it and expose the port through a Service`);
                        }
                    }),
                );
            });
        }
        d.finish();
    },
};
