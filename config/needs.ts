// What an environment asks of its namespace and its cloud, counted once: the quota admits it, the
// maxPods check compares against it, and the DigitalOcean cost prices it.
import { AppSpec, podsAtOnce, quantityValue } from "./apps";

/** devkube's own pods at most: NFS server, web, editor, IDE, each possibly twice during a rolling update. */
export const OWN_PODS_AT_MOST = 8;
/** devkube's own claims: the workspace and the share. */
export const OWN_CLAIMS = 2;
/** devkube's own node ports when the web server is not ClusterIP (a LoadBalancer allocates them too). */
const WEB_NODE_PORTS = 2;

export interface ResourceDemand {
    /** Cores. */
    readonly cpuRequest: number;
    readonly cpuLimit: number;
    /** Bytes. */
    readonly memoryRequest: number;
    readonly memoryLimit: number;
}

export interface EnvironmentNeeds {
    /** The apps' pods at once, rolling updates included. */
    readonly appPods: number;
    /** appPods plus devkube's own at most. */
    readonly pods: number;
    readonly nodePorts: number;
    readonly loadBalancers: number;
    readonly claims: number;
    /** GiB of the apps' own volumes. */
    readonly appVolumeGib: number;
    /** What the apps can ask of the quota at once (podsAtOnce of each). */
    readonly appDemand: ResourceDemand;
}

export function environmentNeeds(webServiceType: string, apps: AppSpec[]): EnvironmentNeeds {
    const ports = (type: string) => apps.filter((a) => a.expose === type).reduce((n, a) => n + a.ports.length, 0);
    let appPods = 0;
    const appDemand = { cpuRequest: 0, cpuLimit: 0, memoryRequest: 0, memoryLimit: 0 };
    for (const app of apps) {
        const pods = podsAtOnce(app);
        appPods += pods;
        appDemand.cpuRequest += pods * (quantityValue(app.resources.cpu) ?? 0);
        appDemand.cpuLimit += pods * (quantityValue(app.resources.cpuLimit) ?? 0);
        appDemand.memoryRequest += pods * (quantityValue(app.resources.memory) ?? 0);
        appDemand.memoryLimit += pods * (quantityValue(app.resources.memoryLimit) ?? 0);
    }
    return {
        appPods,
        pods: appPods + OWN_PODS_AT_MOST,
        nodePorts: (webServiceType === "ClusterIP" ? 0 : WEB_NODE_PORTS) + ports("NodePort") + ports("LoadBalancer"),
        loadBalancers: (webServiceType === "LoadBalancer" ? 1 : 0) + apps.filter((a) => a.expose === "LoadBalancer").length,
        claims: OWN_CLAIMS + apps.filter((app) => app.volume).length,
        appVolumeGib: apps.reduce((sum, app) => sum + (app.volume ? app.volume.size.gib : 0), 0),
        appDemand,
    };
}
