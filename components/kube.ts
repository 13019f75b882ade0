// Small shared helpers for Kubernetes objects: labels, resources, security context.
import * as k8s from "@pulumi/kubernetes";
import { NAME_LABEL, PART_OF, PART_OF_LABEL } from "../contract/identity";

/** Labels that identify one devkube workload; the first two double as the selector. */
export function workloadLabels(name: string, component: string): Record<string, string> {
    return {
        [NAME_LABEL]: name,
        [PART_OF_LABEL]: PART_OF,
        "app.kubernetes.io/component": component,
        "app.kubernetes.io/managed-by": "pulumi",
    };
}

export function selectorLabels(name: string): Record<string, string> {
    return { [NAME_LABEL]: name, [PART_OF_LABEL]: PART_OF };
}

export interface ResourceSizes {
    readonly cpuRequest: string;
    readonly memoryRequest: string;
    readonly cpuLimit: string;
    readonly memoryLimit: string;
}

export function containerResources(sizes: ResourceSizes): k8s.types.input.core.v1.ResourceRequirements {
    return {
        requests: { cpu: sizes.cpuRequest, memory: sizes.memoryRequest },
        limits: { cpu: sizes.cpuLimit, memory: sizes.memoryLimit },
    };
}

/** Requests and limits of every container devkube runs: within the policy pack's home-lab maxima (1 CPU, 1Gi). */
export const SIZES = {
    nfsServer: { cpuRequest: "100m", memoryRequest: "128Mi", cpuLimit: "400m", memoryLimit: "256Mi" },
    nfsInit: { cpuRequest: "10m", memoryRequest: "16Mi", cpuLimit: "40m", memoryLimit: "32Mi" },
    web: { cpuRequest: "50m", memoryRequest: "32Mi", cpuLimit: "200m", memoryLimit: "128Mi" },
    editor: { cpuRequest: "100m", memoryRequest: "128Mi", cpuLimit: "400m", memoryLimit: "512Mi" },
    ide: { cpuRequest: "250m", memoryRequest: "512Mi", cpuLimit: "1", memoryLimit: "1Gi" },
    // sshd itself is small; the limit leaves room for a desktop IDE's server (VS Code's runs on Node.js).
    ssh: { cpuRequest: "125m", memoryRequest: "128Mi", cpuLimit: "500m", memoryLimit: "512Mi" },
} as const satisfies Record<string, ResourceSizes>;

/** pulumi-kubernetes' annotation that makes it skip its await for one object; each use says why. */
export const SKIP_AWAIT = { "pulumi.com/skipAwait": "true" } as const;

/** No privilege escalation anywhere; containers that need more say so where they are built. */
export const NO_ESCALATION: k8s.types.input.core.v1.SecurityContext = { allowPrivilegeEscalation: false };

export const POD_SECURITY: k8s.types.input.core.v1.PodSecurityContext = { seccompProfile: { type: "RuntimeDefault" } };

/** Where every workload sees the shared code. */
export const WORKSPACE_MOUNT = "/workspace";

/**
 * Package caches on the share, so what `npm install` or `pip install` fetched while developing
 * survives restarts and the night, and is never baked into an image.
 */
export const CACHE_ENV: { name: string; value: string }[] = [
    { name: "npm_config_cache", value: `${WORKSPACE_MOUNT}/.cache/npm` },
    { name: "YARN_CACHE_FOLDER", value: `${WORKSPACE_MOUNT}/.cache/yarn` },
    { name: "PIP_CACHE_DIR", value: `${WORKSPACE_MOUNT}/.cache/pip` },
    { name: "GOMODCACHE", value: `${WORKSPACE_MOUNT}/.cache/go-mod` },
];
