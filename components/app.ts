import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AppSpec } from "../config";
import { serviceAccess } from "./access";
import { CACHE_ENV, NO_ESCALATION, WORKSPACE_MOUNT, workloadLabels } from "./kube";
import { WorkloadSpec, claimVolume, deploymentArgs, podTemplate, serviceArgs } from "./workload";

/**
 * Runs a command and starts it again whenever a file under the working directory changes. It polls
 * (every 2 s) because inotify does not cross NFS: an editor in another pod changes files the kernel
 * here never hears about.
 */
export const RESTART_ON_CHANGE = [
    "stamp=/tmp/.devkube-restart-stamp",
    'touch "$stamp"',
    "while true; do",
    '  "$@" & pid=$!',
    '  while kill -0 "$pid" 2>/dev/null; do',
    "    sleep 2",
    '    if [ -n "$(find . -path ./node_modules -prune -o -path ./.cache -prune -o -type f -newer "$stamp" -print | head -n 1)" ]; then',
    '      echo "devkube: files changed, restarting"; touch "$stamp"; kill "$pid"; break',
    "    fi",
    "  done",
    '  wait "$pid" 2>/dev/null; touch "$stamp"; sleep 1',
    "done",
].join("\n");

export interface AppArgs {
    readonly namespace: pulumi.Input<string>;
    readonly app: AppSpec;
    readonly shareClaimName: pulumi.Input<string>;
    /** Variable name -> Pulumi secret value, for secretEnv. */
    readonly secrets: Record<string, pulumi.Input<string>>;
    /** How to reach a node's address on this target, for NodePort URLs. */
    readonly nodeAddress: string;
}

/** The container an app runs: image, command, settings, secrets, the share and its caches. */
export function appContainer(
    app: AppSpec,
    names: { configMap?: pulumi.Input<string>; secret?: pulumi.Input<string> },
): k8s.types.input.core.v1.Container {
    const command = app.restartOnChange ? ["/bin/sh", "-c", RESTART_ON_CHANGE, "restart-on-change", ...(app.command ?? []), ...(app.args ?? [])] : app.command;
    const firstPort = app.ports[0];
    const probe =
        firstPort === undefined || app.schedule
            ? undefined
            : app.probePath
              ? { httpGet: { path: app.probePath, port: firstPort } }
              : { tcpSocket: { port: firstPort } };
    return {
        name: app.name,
        image: app.image,
        command,
        args: app.restartOnChange ? undefined : app.args,
        workingDir: app.workspace?.workingDir ? WORKSPACE_MOUNT : undefined,
        ports: app.ports.map((port, i) => ({ name: `port-${i}`, containerPort: port })),
        envFrom: names.configMap ? [{ configMapRef: { name: names.configMap } }] : undefined,
        env: [
            ...(app.workspace ? CACHE_ENV : []),
            ...Object.keys(app.secretEnv).map((variable) => ({
                name: variable,
                valueFrom: { secretKeyRef: { name: names.secret!, key: variable } },
            })),
        ],
        resources: {
            requests: { cpu: app.resources.cpu, memory: app.resources.memory },
            limits: { cpu: app.resources.cpuLimit, memory: app.resources.memoryLimit },
        },
        securityContext: NO_ESCALATION,
        readinessProbe: probe ? { ...probe, periodSeconds: 10 } : undefined,
        livenessProbe: probe ? { ...probe, initialDelaySeconds: 20, periodSeconds: 20, failureThreshold: 6 } : undefined,
        volumeMounts: app.workspace ? [{ name: "share", mountPath: WORKSPACE_MOUNT, subPath: app.workspace.subPath || undefined }] : undefined,
    };
}

/** One app from devkube:apps: a Deployment (or a CronJob when scheduled), its settings, secrets and Service. */
export class App extends pulumi.ComponentResource {
    /** How to reach it, or what it is when it serves nothing. */
    public readonly access: pulumi.Output<string>;

    constructor(name: string, args: AppArgs, opts?: pulumi.ComponentResourceOptions) {
        super("devkube:apps:App", name, {}, opts);
        const { app } = args;
        const labels = workloadLabels(app.name, "app");
        const configMap =
            Object.keys(app.env).length > 0
                ? new k8s.core.v1.ConfigMap(`${name}-env`, { metadata: { namespace: args.namespace, labels }, data: app.env }, { parent: this })
                : undefined;
        const secret =
            Object.keys(app.secretEnv).length > 0
                ? new k8s.core.v1.Secret(
                      `${name}-secret`,
                      { metadata: { namespace: args.namespace, labels }, stringData: pulumi.secret(args.secrets) },
                      { parent: this },
                  )
                : undefined;
        const workload: WorkloadSpec = {
            name: app.name,
            component: "app",
            namespace: args.namespace,
            replicas: app.replicas,
            strategy: app.strategy,
            containers: [appContainer(app, { configMap: configMap?.metadata.name, secret: secret?.metadata.name })],
            volumes: app.workspace ? [claimVolume("share", args.shareClaimName)] : [],
        };
        if (app.schedule) {
            const cronJob = new k8s.batch.v1.CronJob(
                `${name}-cronjob`,
                {
                    metadata: { name: app.name, namespace: args.namespace, labels },
                    spec: {
                        schedule: app.schedule,
                        concurrencyPolicy: "Forbid",
                        successfulJobsHistoryLimit: app.successfulJobsHistoryLimit,
                        failedJobsHistoryLimit: app.failedJobsHistoryLimit,
                        jobTemplate: {
                            spec: {
                                backoffLimit: 2,
                                template: podTemplate({ ...workload, restartPolicy: "OnFailure" }),
                            },
                        },
                    },
                },
                { parent: this },
            );
            this.access = pulumi.interpolate`CronJob ${cronJob.metadata.name} (${app.schedule}); runs: kubectl -n ${cronJob.metadata.namespace} get jobs`;
        } else {
            const deployment = new k8s.apps.v1.Deployment(`${name}-deployment`, deploymentArgs(workload), { parent: this });
            if (app.expose === "none") {
                this.access = pulumi.interpolate`not exposed: kubectl -n ${deployment.metadata.namespace} logs deploy/${deployment.metadata.name}`;
            } else {
                const service = new k8s.core.v1.Service(
                    `${name}-service`,
                    serviceArgs(
                        workload,
                        app.expose,
                        app.ports.map((port, i) => ({ name: `port-${i}`, port, targetPort: port })),
                    ),
                    { parent: this, dependsOn: [deployment] },
                );
                this.access = serviceAccess(service, {
                    type: app.expose,
                    port: app.ports[0],
                    nodeAddress: args.nodeAddress,
                    localPort: app.ports[0],
                });
            }
        }
        this.registerOutputs({ access: this.access });
    }
}

/** How many node ports and load balancers a set of apps asks the namespace quota for. */
export function appExposureCounts(apps: AppSpec[]): { nodePorts: number; loadBalancers: number } {
    const count = (type: string) => apps.filter((a) => a.expose === type).reduce((n, a) => n + a.ports.length, 0);
    return { nodePorts: count("NodePort") + count("LoadBalancer"), loadBalancers: apps.filter((a) => a.expose === "LoadBalancer").length };
}
