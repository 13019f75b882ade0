import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { MinikubeSettings } from "../../config";
import { Target } from "./target";

/**
 * A laptop's minikube. The workspace is a hostPath under /data, which minikube keeps across restarts,
 * on a static Retain PV: minikube's default class (`standard`) would delete the directory with the claim.
 */
export function minikubeTarget(settings: MinikubeSettings): Target {
    const provider = new k8s.Provider("minikube", {
        context: settings.kubeContext,
        // A deleted minikube must not make `pulumi destroy` fail forever.
        deleteUnreachable: true,
    });
    return {
        provider,
        storage: {
            kind: "in-cluster",
            volume: {
                source: { hostPath: { path: settings.hostPath, type: "DirectoryOrCreate" } },
                description: `hostPath ${settings.hostPath} inside the minikube node`,
            },
        },
        nodeAddress: "$(minikube ip)",
        workspaceLocation: pulumi.output(`${settings.hostPath} inside the minikube node (kept by minikube stop/start; removed by minikube delete)`),
        appDataVolume: (appName) => ({
            source: { hostPath: { path: `${settings.appDataPath}/${appName}`, type: "DirectoryOrCreate" } },
            description: `hostPath ${settings.appDataPath}/${appName} inside the minikube node`,
        }),
        outputs: {},
    };
}
