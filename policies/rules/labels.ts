// Workloads carry the app.kubernetes.io/name label.
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { policyConfig } from "../config";
import { isObject, podSpecOrNotApplicable } from "../podspec";
import { describeValue } from "../../contract/quantity";

export const WORKLOAD_NAME_LABEL = "devkube-workload-name-label";
export const NAME_LABEL = "app.kubernetes.io/name";

export const workloadNameLabelPolicy: ResourceValidationPolicy = {
    name: WORKLOAD_NAME_LABEL,
    description: `Workloads (Pods, Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs, CronJobs) set the ${NAME_LABEL} label in metadata.labels.`,
    enforcementLevel: "advisory",
    severity: "low",
    validateResource: (args, reportViolation) => {
        policyConfig(args, WORKLOAD_NAME_LABEL);
        const site = podSpecOrNotApplicable(args);
        const metadata = args.props.metadata;
        const labels = isObject(metadata) ? metadata.labels : undefined;
        const value = isObject(labels) ? labels[NAME_LABEL] : undefined;
        if (typeof value !== "string" || value === "") {
            reportViolation(
                `${site.workload}: metadata.labels["${NAME_LABEL}"] is ${value === undefined ? "missing" : describeValue(value)}; ` +
                    `set it to the application's name, e.g. "web"`,
            );
        }
    },
};
