// The registry: every target devkube knows. Config, the program and the tests read it; adding a
// target is one module beside this file and one line in TARGET_MODULES.
import * as pulumi from "@pulumi/pulumi";
import { DevkubeConfig, RawConfig, allSettings, parseConfigFor } from "../config";
import { AppSpec } from "../config/apps";
import type { KeptData } from "../config/target-config";
import { CLAIM_NAMES } from "../contract/identity";
import { DataSource } from "../components/storage";
import { BaremetalSettings, baremetal } from "./baremetal";
import { DigitalOceanSettings, digitalOcean } from "./digitalocean";
import { KubeconfigSettings, kubeconfig } from "./kubeconfig";
import { MinikubeSettings, minikube } from "./minikube";
import { Target, TargetContext, TargetModule } from "./target";

export type TargetSettings = DigitalOceanSettings | MinikubeSettings | BaremetalSettings | KubeconfigSettings;

export const TARGET_MODULES: readonly TargetModule<any, any>[] = [digitalOcean, minikube, baremetal, kubeconfig];

/** Every devkube:* setting, once: what Pulumi.yaml's `config:` block is generated from. */
export const SETTINGS = allSettings(TARGET_MODULES);

/** The stack's config, its target's slice parsed by that target; throws ConfigError listing every problem. */
export function parseConfig(raw: RawConfig): DevkubeConfig<TargetSettings> {
    return parseConfigFor<TargetSettings>(raw, TARGET_MODULES);
}

/** What a target makes (providers, a cluster, cloud volumes), under one component like everything else. */
class TargetResources extends pulumi.ComponentResource {
    constructor(name: string) {
        super("devkube:target:Target", name, {}, {});
        this.registerOutputs({});
    }
}

function moduleOf(settings: TargetSettings): TargetModule<any, any> {
    const module = TARGET_MODULES.find((t) => t.name === settings.kind);
    if (!module) {
        throw new Error(`devkube:target: no target module named ${JSON.stringify(settings.kind)}`);
    }
    return module;
}

export async function createTarget(config: DevkubeConfig<TargetSettings>, context: Omit<TargetContext, "config" | "inside">): Promise<Target> {
    const module = moduleOf(config.target);
    const component = new TargetResources(module.name);
    // Stacks made before the component had these resources at the top: the alias keeps every URN, so
    // nothing is replaced (the workspace volume included) on the first `up` after the upgrade.
    const inside: pulumi.CustomResourceOptions = { parent: component, aliases: [{ parent: pulumi.rootStackResource }] };
    return module.create(config.target, { ...context, config, inside });
}

/** Where each app's own volume lives: its storage class if it names one, else the target's place for it. */
export function appDataSources(target: Target, apps: AppSpec[]): Record<string, DataSource | undefined> {
    return Object.fromEntries(
        apps
            .filter((app) => app.volume)
            .map((app) => {
                const volume = app.volume!;
                const source: DataSource | undefined = volume.storageClass
                    ? { claim: { storageClass: volume.storageClass, description: `a claim from storage class ${volume.storageClass}` } }
                    : target.appData(app.name, volume.size);
                return [app.name, source];
            }),
    );
}

/**
 * Everywhere a destroy leaves this stack's data: what its target keeps (the workspace, and app volumes
 * without a class), and each app volume from a storage class, a claim left in the cluster on any target.
 */
export function keptData(config: DevkubeConfig<TargetSettings>, stack: string): KeptData[] {
    const withVolume = config.apps.filter((app) => app.volume);
    const onTarget = withVolume.filter((app) => !app.volume!.storageClass).map((app) => app.name);
    const fromClass = withVolume
        .filter((app) => app.volume!.storageClass)
        .map((app): KeptData => ({ kind: "claim", namespace: config.namespace, name: CLAIM_NAMES.appData(app.name), app: app.name }));
    return [...moduleOf(config.target).keptData(config.target, { stack, namespace: config.namespace, apps: onTarget }), ...fromClass];
}
