import { PolicyPack } from "@pulumi/policy";
import { allPolicies } from "./policies";

new PolicyPack("devkube", {
    description: "Guard rails for the devkube dev environment: resource limits, pod security, pinned images, exposure, and a workspace that survives destroy.",
    policies: allPolicies,
});
