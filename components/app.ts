import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AppSpec } from "../config/apps";
import { CONNECTION_URL, PASSWORD_VARIABLE, connectionEnv } from "../config/presets";
import { serviceAccess } from "./access";
import { AppData } from "./app-data";
import { DataSource } from "./storage";
import { CACHE_ENV, NO_ESCALATION, SKIP_AWAIT, WORKSPACE_MOUNT, workloadLabels } from "./kube";
import { WorkloadSpec, claimVolume, deployWorkload, podTemplate } from "./workload";

/**
 * Runs a command and starts it again whenever a file under the share's mount changes. It polls
 * (every 2 s) because inotify does not cross NFS: an editor in another pod changes files the kernel
 * here never hears about. What it compares is a listing of every file's inode, size, mtime and ctime
 * to the nanosecond, so an edit (even one that restores the old mtime, as tar or cp -p do), a new file,
 * a rename and a delete all count: BusyBox's `find -newer` (the shell of Alpine images) compares whole
 * seconds, so it missed an edit made in the same second as the last restart, and never saw a deleted
 * file. DEVKUBE_WATCH_DIR and DEVKUBE_PAUSE exist for the tests that run this script: the second
 * replaces `sleep`, so a test decides when each poll happens instead of waiting on the clock.
 */
export const RESTART_ON_CHANGE = [
    `watch="\${DEVKUBE_WATCH_DIR:-${WORKSPACE_MOUNT}}"`,
    'pause() { ${DEVKUBE_PAUSE:-sleep} "$1"; }',
    "state() {",
    '  find "$watch" -path "$watch/node_modules" -prune -o -path "$watch/.cache" -prune -o -type f -exec stat -c "%i %s %y %z %n" {} + 2>/dev/null | sort | md5sum',
    "}",
    "while true; do",
    "  before=$(state)",
    '  "$@" & pid=$!',
    '  while kill -0 "$pid" 2>/dev/null; do',
    "    pause 2",
    '    if [ "$(state)" != "$before" ]; then',
    '      echo "devkube: files changed, restarting"; kill "$pid"; break',
    "    fi",
    "  done",
    '  wait "$pid" 2>/dev/null; pause 1',
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
    /** Where the app's own volume lives (its storage class, or the target's disk or class). */
    readonly dataSource?: DataSource;
    /** Connection Secrets of the preset apps this app `uses`, loaded with envFrom. */
    readonly connectionSecrets?: pulumi.Input<string>[];
}

/** Where an app's own volume is mounted from. */
const DATA_VOLUME = "data";

/** The container an app runs: image, command, settings, secrets, the share and its caches. */
export function appContainer(
    app: AppSpec,
    names: { configMap?: pulumi.Input<string>; secret?: pulumi.Input<string>; connectionSecrets?: pulumi.Input<string>[] },
): k8s.types.input.core.v1.Container {
    const command = app.restartOnChange ? ["/bin/sh", "-c", RESTART_ON_CHANGE, "restart-on-change", ...(app.command ?? []), ...(app.args ?? [])] : app.command;
    const firstPort = app.ports[0]?.port;
    const probe = app.schedule
        ? undefined
        : app.probeCommand
          ? { exec: { command: app.probeCommand } }
          : firstPort === undefined
            ? undefined
            : app.probePath
              ? { httpGet: { path: app.probePath, port: firstPort } }
              : { tcpSocket: { port: firstPort } };
    const volumeMounts = [
        ...(app.workspace ? [{ name: "share", mountPath: WORKSPACE_MOUNT, subPath: app.workspace.subPath || undefined }] : []),
        ...(app.volume ? [{ name: DATA_VOLUME, mountPath: app.volume.mountPath }] : []),
    ];
    const envFrom = [
        ...(names.configMap ? [{ configMapRef: { name: names.configMap } }] : []),
        ...(names.connectionSecrets ?? []).map((name) => ({ secretRef: { name } })),
    ];
    return {
        name: app.name,
        image: app.image,
        command,
        args: app.restartOnChange ? undefined : app.args,
        workingDir: app.workspace?.workingDir ? WORKSPACE_MOUNT : undefined,
        ports: app.ports.map((p, i) => ({ name: `port-${i}`, containerPort: p.port })),
        envFrom: envFrom.length > 0 ? envFrom : undefined,
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
        volumeMounts: volumeMounts.length > 0 ? volumeMounts : undefined,
    };
}

/**
 * One app from devkube:apps: a Deployment (or a CronJob when scheduled), its settings, secrets, own
 * volume, Service and Ingress; for a preset, also the Secret other apps load to connect to it.
 */
export class App extends pulumi.ComponentResource {
    /** How to reach it, or what it is when it serves nothing. */
    public readonly access: pulumi.Output<string>;
    /** A preset's connection string (DATABASE_URL, REDIS_URL), as a secret. */
    public readonly connection?: pulumi.Output<string>;
    /** A preset's Secret of connection settings, for the apps that use it. */
    public readonly connectionSecretName?: pulumi.Output<string>;

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
        const data = app.volume
            ? new AppData(
                  `${name}-data`,
                  {
                      namespace: args.namespace,
                      appName: app.name,
                      size: app.volume.size.quantity,
                      source: this.requireDataSource(args),
                  },
                  { parent: this },
              )
            : undefined;
        const workload: WorkloadSpec = {
            name: app.name,
            component: "app",
            namespace: args.namespace,
            replicas: app.replicas,
            strategy: app.strategy,
            containers: [
                appContainer(app, {
                    configMap: configMap?.metadata.name,
                    secret: secret?.metadata.name,
                    connectionSecrets: args.connectionSecrets,
                }),
            ],
            volumes: [
                ...(app.workspace ? [claimVolume("share", args.shareClaimName)] : []),
                ...(data ? [claimVolume(DATA_VOLUME, data.claimName)] : []),
            ],
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
            this.registerOutputs({ access: this.access });
            return;
        }
        if (app.expose === "none") {
            const { deployment } = deployWorkload(name, workload, this);
            this.access = pulumi.interpolate`not exposed: kubectl -n ${deployment.metadata.namespace} logs deploy/${deployment.metadata.name}`;
            this.registerOutputs({ access: this.access });
            return;
        }
        const { service } = deployWorkload(name, workload, this, {
            type: app.expose,
            ports: app.ports.map((p, i) => ({ name: `port-${i}`, port: p.servicePort, targetPort: p.port })),
        });
        const servicePort = app.ports[0].servicePort;
        this.access = serviceAccess(service, {
            type: app.expose,
            port: servicePort,
            nodeAddress: args.nodeAddress,
            localPort: servicePort,
            protocol: app.preset ? "tcp" : "http",
        });
        if (app.ingress) {
            const ingress = new k8s.networking.v1.Ingress(`${name}-ingress`, ingressArgs(app, args.namespace, service.metadata.name), {
                parent: this,
            });
            const urls = app.ingress.hosts.map((host) => `https://${host}${app.ingress!.path}`).join(" ");
            const issuer = `${app.ingress.issuer.kind} ${app.ingress.issuer.name}`;
            this.access = ingress.metadata.name.apply(() => `${urls} (Ingress; certificate from cert-manager ${issuer})`);
        }
        if (app.preset) {
            const preset = app.preset;
            const password = args.secrets[PASSWORD_VARIABLE[preset]];
            const settings = pulumi.secret(
                pulumi.all([service.metadata.name, service.metadata.namespace, password]).apply(([serviceName, namespace, pw]) =>
                    connectionEnv({ preset, service: serviceName, namespace, port: servicePort, password: pw, env: app.env }),
                ),
            );
            const connection = new k8s.core.v1.Secret(
                `${name}-connection`,
                { metadata: { namespace: args.namespace, labels }, stringData: settings },
                { parent: this },
            );
            this.connectionSecretName = connection.metadata.name;
            this.connection = pulumi.secret(settings.apply((env) => env[CONNECTION_URL[preset]]));
        }
        this.registerOutputs({ access: this.access, connection: this.connection });
    }

    private requireDataSource(args: AppArgs): DataSource {
        if (!args.dataSource) {
            // The config check (the target's appVolumeProblems) stops this first; this guards a new target.
            throw new Error(`app ${args.app.name}: this target has no disk for an app's own volume; set volume.storageClass`);
        }
        return args.dataSource;
    }
}

/** The Ingress for an app: its hosts to the Service's first port, TLS from a cert-manager issuer. */
export function ingressArgs(app: AppSpec, namespace: pulumi.Input<string>, serviceName: pulumi.Input<string>): k8s.networking.v1.IngressArgs {
    const ingress = app.ingress!;
    const issuerAnnotation = ingress.issuer.kind === "ClusterIssuer" ? "cert-manager.io/cluster-issuer" : "cert-manager.io/issuer";
    return {
        metadata: {
            name: app.name,
            namespace,
            labels: workloadLabels(app.name, "app"),
            annotations: {
                [issuerAnnotation]: ingress.issuer.name,
                // HTTPS only, on the two controllers home labs and clouds run most: ingress-nginx
                // redirects plain HTTP; Traefik (k3s) binds the routes to its TLS entrypoint alone.
                "nginx.ingress.kubernetes.io/ssl-redirect": "true",
                "traefik.ingress.kubernetes.io/router.entrypoints": "websecure",
                // pulumi-kubernetes waits for an ingress controller to publish an address; a home-lab
                // controller may never publish one, and the URL works without it.
                ...SKIP_AWAIT,
            },
        },
        spec: {
            ingressClassName: ingress.className,
            tls: [{ hosts: ingress.hosts, secretName: `${app.name}-tls` }],
            rules: ingress.hosts.map((host) => ({
                host,
                http: {
                    paths: [
                        {
                            path: ingress.path,
                            pathType: "Prefix",
                            backend: { service: { name: serviceName, port: { number: app.ports[0].servicePort } } },
                        },
                    ],
                },
            })),
        },
    };
}
