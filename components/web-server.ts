import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ServiceType } from "../config";
import { serviceAccess } from "./access";
import { IMAGES } from "./images";
import { NO_ESCALATION, SIZES, containerResources, workloadLabels } from "./kube";
import { claimVolume, deployWorkload } from "./workload";
import { WORKLOAD_NAMES } from "../contract/identity";

export const WEB_NAME = WORKLOAD_NAMES.web;
/** The share's directory nginx serves: edit <share>/html/index.html and reload the page. */
export const WEB_ROOT_SUBPATH = "html";

/**
 * nginx serving the share. `sendfile off`: sendfile on NFS can serve stale bytes or hang; the edit
 * loop needs every reload to read the file as it is now. /healthz answers without touching the share,
 * so a slow NFS mount never gets nginx killed.
 */
export const NGINX_CONF = `server {
    listen 80;
    sendfile off;
    root /usr/share/nginx/html;
    index index.html;
    location / {
        autoindex on;
        try_files $uri $uri/ =404;
        add_header Cache-Control "no-store";
    }
    location = /healthz {
        access_log off;
        default_type text/plain;
        return 200 "ok\\n";
    }
}
`;

export interface WebServerArgs {
    readonly namespace: pulumi.Input<string>;
    readonly shareClaimName: pulumi.Input<string>;
    readonly serviceType: ServiceType;
    /** How to reach a node on this target, used in the NodePort URL. */
    readonly nodeAddress: string;
}

export class WebServer extends pulumi.ComponentResource {
    public readonly serviceName: pulumi.Output<string>;
    public readonly serviceType: pulumi.Output<string>;
    /** A URL or the exact command to reach the web server. */
    public readonly access: pulumi.Output<string>;

    constructor(name: string, args: WebServerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("devkube:apps:WebServer", name, {}, opts);
        const labels = workloadLabels(WEB_NAME, "web-server");
        const config = new k8s.core.v1.ConfigMap(
            `${name}-config`,
            { metadata: { namespace: args.namespace, labels }, data: { "default.conf": NGINX_CONF } },
            { parent: this },
        );
        const { service } = deployWorkload(
            name,
            {
                name: WEB_NAME,
                component: "web-server",
                namespace: args.namespace,
                containers: [
                    {
                        name: "nginx",
                        image: IMAGES.web,
                        ports: [{ name: "http", containerPort: 80 }],
                        resources: containerResources(SIZES.web),
                        securityContext: NO_ESCALATION,
                        readinessProbe: { httpGet: { path: "/healthz", port: 80 }, periodSeconds: 10 },
                        livenessProbe: { httpGet: { path: "/healthz", port: 80 }, initialDelaySeconds: 10, periodSeconds: 20 },
                        volumeMounts: [
                            { name: "share", mountPath: "/usr/share/nginx/html", subPath: WEB_ROOT_SUBPATH, readOnly: true },
                            { name: "config", mountPath: "/etc/nginx/conf.d", readOnly: true },
                        ],
                    },
                ],
                volumes: [claimVolume("share", args.shareClaimName), { name: "config", configMap: { name: config.metadata.name } }],
            },
            this,
            { type: args.serviceType, ports: [{ name: "http", port: 80, targetPort: 80 }] },
        );
        this.serviceName = service.metadata.name;
        this.serviceType = service.spec.type;
        this.access = serviceAccess(service, { type: args.serviceType, port: 80, nodeAddress: args.nodeAddress, localPort: 8080 });
        this.registerOutputs({ serviceName: this.serviceName, serviceType: this.serviceType, access: this.access });
    }
}
