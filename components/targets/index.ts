import * as pulumi from "@pulumi/pulumi";
import { DevkubeConfig } from "../../config";
import { AppSpec } from "../../config/apps";
import { BackingVolume } from "../storage";
import { baremetalTarget } from "./baremetal";
import { digitalOceanTarget } from "./digitalocean";
import { minikubeTarget } from "./minikube";
import { Target } from "./target";
import { loadBalancersAskedFor } from "../app";

export interface TargetContext {
    readonly stack: string;
    /** Read only by the target that needs it, so other stacks never ask for a token. */
    readonly digitalOceanToken: () => pulumi.Output<string>;
}

/** One module per target; adding a target is one file and one case here. */
export function createTarget(config: DevkubeConfig, context: TargetContext): Target {
    const settings = config.target;
    switch (settings.kind) {
        case "digitalocean":
            return digitalOceanTarget({
                settings,
                size: config.workspaceSize,
                stack: context.stack,
                namespace: config.namespace,
                token: context.digitalOceanToken(),
                loadBalancers: loadBalancersAskedFor(config.webServiceType, config.apps),
                appVolumeGib: config.apps.reduce((sum, app) => sum + (app.volume ? app.volume.size.gib : 0), 0),
            });
        case "minikube":
            return minikubeTarget(settings);
        case "baremetal":
            return baremetalTarget(settings);
    }
}


/** The target's disk for each app that has its own volume and names no storage class. */
export function appDataVolumes(target: Target, apps: AppSpec[]): Record<string, BackingVolume | undefined> {
    return Object.fromEntries(
        apps.filter((app) => app.volume && !app.volume.storageClass).map((app) => [app.name, target.appDataVolume(app.name, app.volume!.size)]),
    );
}
