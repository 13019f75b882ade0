// Every policy of the devkube pack. Tests import this module; only index.ts constructs the PolicyPack
// (which starts a gRPC server).
import type { Policies } from "@pulumi/policy";
import { imageTagPolicy } from "./rules/images";
import { workloadNameLabelPolicy } from "./rules/labels";
import { namespaceGuardsPolicy } from "./rules/namespaces";
import { probesPolicy } from "./rules/probes";
import { maximaPolicy, ratioPolicy, requestsLimitsPolicy } from "./rules/resources";
import { podSecurityPolicy } from "./rules/security";
import { ingressTlsPolicy, serviceExposurePolicy } from "./rules/services";
import { workspaceRetainedPolicy } from "./rules/workspace";

export const allPolicies: Policies = [
    requestsLimitsPolicy,
    maximaPolicy,
    ratioPolicy,
    namespaceGuardsPolicy,
    podSecurityPolicy,
    imageTagPolicy,
    probesPolicy,
    serviceExposurePolicy,
    ingressTlsPolicy,
    workspaceRetainedPolicy,
    workloadNameLabelPolicy,
];
