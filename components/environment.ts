import * as pulumi from "@pulumi/pulumi";
import { ServiceType } from "../config";
import { AppSpec } from "../config/apps";
import { App } from "./app";
import { environmentNeeds } from "../config/needs";
import { Editor } from "./editor";
import type { SshArgs } from "./ssh";
import { Ide } from "./ide";
import { EnvironmentNamespace } from "./namespace";
import { NfsServer } from "./nfs-server";
import { NfsShare } from "./nfs-share";
import { DataSource, WorkspaceStorage } from "./storage";
import { WebServer } from "./web-server";
import { Workspace, isClassClaim } from "./workspace";

export interface EnvironmentArgs {
    /** Kubernetes namespace of the environment. */
    readonly namespace: string;
    /** Size of the workspace, e.g. "10Gi". */
    readonly size: string;
    /** Where the code lives, from the target. */
    readonly storage: WorkspaceStorage;
    /** NFS mount options of the share (nfs(5)). */
    readonly nfsMountOptions: string[];
    /** How the web server is exposed. */
    readonly webServiceType: ServiceType;
    /** How to reach a node's address on this target, for NodePort URLs. */
    readonly nodeAddress: string;
    /** The namespace's pod quota. */
    readonly maxPods: number;
    /** Set to run the browser IDE; a Pulumi secret. */
    readonly idePassword?: pulumi.Input<string>;
    /** Workloads beside the code (devkube:apps). */
    readonly apps?: AppSpec[];
    /** SSH into the editor's pod (devkube:ssh). */
    readonly ssh?: SshArgs;
    /** The apps' secretEnv values, by app name and variable; Pulumi secrets. */
    readonly appSecrets?: Record<string, Record<string, pulumi.Input<string>>>;
    /** Where each app's own volume lives, by app name. */
    readonly appDataSources?: Record<string, DataSource | undefined>;
}

/**
 * One development environment: namespace, workspace, NFS server (unless an export already exists),
 * the share every workload mounts, the web server, the editor and optionally the browser IDE.
 */
export class Environment extends pulumi.ComponentResource {
    public readonly namespace: pulumi.Output<string>;
    /** The NFS server address every mount uses (the Service's ClusterIP, or the existing server). */
    public readonly nfsServer: pulumi.Output<string>;
    public readonly shareVolumeName: pulumi.Output<string>;
    public readonly webAccess: pulumi.Output<string>;
    public readonly webServiceType: pulumi.Output<string>;
    public readonly editorShell: pulumi.Output<string>;
    public readonly sshPortForward: pulumi.Output<string>;
    public readonly sshConfig: pulumi.Output<string>;
    public readonly ideAccess: pulumi.Output<string>;
    /** How to reach each app, by name. */
    public readonly appAccess: pulumi.Output<Record<string, string>>;
    /** Connection strings of the preset apps (postgres, redis), by name; a secret. */
    public readonly appConnections: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: EnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
        super("devkube:core:Environment", name, {}, opts);
        const child = { parent: this };
        const exposure = args.webServiceType;
        const apps = args.apps ?? [];
        const needs = environmentNeeds(exposure, apps);
        const ns = new EnvironmentNamespace(
            `${name}-namespace`,
            {
                name: args.namespace,
                nodePorts: needs.nodePorts,
                loadBalancers: needs.loadBalancers,
                maxPods: args.maxPods,
                claims: needs.claims,
                appDemand: needs.appDemand,
                holdsKeptClaims: holdsClassClaims(args),
            },
            child,
        );
        this.namespace = ns.name;

        let share: NfsShare;
        if (args.storage.kind === "in-cluster") {
            const workspace = new Workspace(
                `${name}-workspace`,
                { namespace: ns.name, size: args.size, volume: args.storage.volume },
                child,
            );
            const server = new NfsServer(
                `${name}-nfs`,
                { namespace: ns.name, claimName: workspace.claimName, node: isClassClaim(args.storage.volume) ? undefined : args.storage.volume.node },
                child,
            );
            share = new NfsShare(
                `${name}-share`,
                {
                    namespace: ns.name,
                    server: server.clusterIP,
                    path: "/",
                    size: args.size,
                    mountOptions: args.nfsMountOptions,
                    role: "share",
                },
                child,
            );
        } else {
            share = new NfsShare(
                `${name}-share`,
                {
                    namespace: ns.name,
                    server: args.storage.server,
                    path: args.storage.path,
                    size: args.size,
                    mountOptions: args.nfsMountOptions,
                    role: "workspace",
                },
                child,
            );
        }
        this.nfsServer = share.server;
        this.shareVolumeName = share.volumeName;

        const web = new WebServer(
            `${name}-web`,
            { namespace: ns.name, shareClaimName: share.claimName, serviceType: exposure, nodeAddress: args.nodeAddress },
            child,
        );
        this.webAccess = web.access;
        this.webServiceType = web.serviceType;

        const editor = new Editor(`${name}-editor`, { namespace: ns.name, shareClaimName: share.claimName, ssh: args.ssh }, child);
        this.editorShell = editor.shellCommand;
        this.sshPortForward = editor.sshPortForward;
        this.sshConfig = editor.sshConfig;

        if (args.idePassword !== undefined) {
            const ide = new Ide(`${name}-ide`, { namespace: ns.name, shareClaimName: share.claimName, password: args.idePassword }, child);
            this.ideAccess = ide.access;
        } else {
            this.ideAccess = pulumi.output("disabled: pulumi config set devkube:ide true && pulumi config set --secret devkube:idePassword <password>");
        }

        // Presets first: the apps that use them load their connection Secrets.
        const built = new Map<string, App>();
        for (const app of [...apps.filter((a) => a.preset), ...apps.filter((a) => !a.preset)]) {
            built.set(
                app.name,
                new App(
                    `${name}-app-${app.name}`,
                    {
                        namespace: ns.name,
                        app,
                        shareClaimName: share.claimName,
                        secrets: args.appSecrets?.[app.name] ?? {},
                        nodeAddress: args.nodeAddress,
                        dataSource: args.appDataSources?.[app.name],
                        connectionSecrets: app.uses.map((used) => built.get(used)!.connectionSecretName!),
                    },
                    child,
                ),
            );
        }
        const inConfigOrder = apps.map((app) => [app.name, built.get(app.name)!] as const);
        this.appAccess = pulumi.output(Object.fromEntries(inConfigOrder.map(([appName, app]) => [appName, app.access])));
        this.appConnections = pulumi.secret(
            pulumi.output(Object.fromEntries(inConfigOrder.filter(([, app]) => app.connection).map(([appName, app]) => [appName, app.connection!]))),
        );

        this.registerOutputs({
            namespace: this.namespace,
            nfsServer: this.nfsServer,
            webAccess: this.webAccess,
            editorShell: this.editorShell,
            sshPortForward: this.sshPortForward,
            sshConfig: this.sshConfig,
            ideAccess: this.ideAccess,
            appAccess: this.appAccess,
            appConnections: this.appConnections,
        });
    }
}

/** Whether any claim of the environment comes from a storage class (the workspace's, or an app's). */
export function holdsClassClaims(args: Pick<EnvironmentArgs, "storage" | "appDataSources">): boolean {
    const workspace = args.storage.kind === "in-cluster" && isClassClaim(args.storage.volume);
    return workspace || Object.values(args.appDataSources ?? {}).some((source) => source !== undefined && "claim" in source);
}
