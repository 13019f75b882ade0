// Long-running containers have a readiness or liveness probe.
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { policyConfig } from "../config";
import { Deferred, containersOf, podSpecOrNotApplicable } from "../podspec";

export const PROBES = "devkube-probes";

export const probesPolicy: ResourceValidationPolicy = {
    name: PROBES,
    description:
        "Containers of long-running workloads (not Jobs, CronJobs or init containers) have a readinessProbe or livenessProbe.",
    enforcementLevel: "advisory",
    severity: "low",
    validateResource: (args, reportViolation) => {
        policyConfig(args, PROBES);
        const site = podSpecOrNotApplicable(args);
        if (!site.longRunning) {
            args.notApplicable(`${site.kind} runs to completion; probes are not required`);
        }
        const d = new Deferred();
        for (const c of containersOf(site, d, ["containers"])) {
            d.run(() => {
                const has = (k: string): boolean => c.container[k] !== undefined && c.container[k] !== null;
                if (!has("readinessProbe") && !has("livenessProbe")) {
                    reportViolation(
                        `${c.label}: no readinessProbe or livenessProbe; add one (e.g. an httpGet or tcpSocket readinessProbe on the container's port)`,
                    );
                }
            });
        }
        d.finish();
    },
};
