// How a person reaches a Service, as one line they can paste: a URL or the exact command.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ServiceType } from "../config";

export interface ServiceAccess {
    readonly namespace: string;
    readonly serviceName: string;
    readonly type: ServiceType;
    readonly port: number;
    /** Allocated node port, for NodePort services. */
    readonly nodePort?: number;
    /** The load balancer's address, once the cloud has assigned one. */
    readonly loadBalancerAddress?: string;
    /** How to get a node's address on this target, e.g. "$(minikube ip)". */
    readonly nodeAddress: string;
    /** Local port for port-forward. */
    readonly localPort: number;
    /** What speaks on the port: a browser URL for http, an address for anything else (a database). */
    readonly protocol?: "http" | "tcp";
}

export function accessInstructions(a: ServiceAccess): string {
    const http = (a.protocol ?? "http") === "http";
    const address = (host: string, port: number) => (http ? `http://${host}${port === 80 ? "" : `:${port}`}` : `${host}:${port}`);
    switch (a.type) {
        case "NodePort":
            return a.nodePort === undefined
                ? `kubectl -n ${a.namespace} get svc ${a.serviceName} (node port not allocated yet)`
                : address(a.nodeAddress, a.nodePort);
        case "LoadBalancer":
            return a.loadBalancerAddress
                ? address(a.loadBalancerAddress, a.port)
                : `kubectl -n ${a.namespace} get svc ${a.serviceName} -w (waiting for the load balancer's address)`;
        case "ClusterIP":
            return `kubectl -n ${a.namespace} port-forward svc/${a.serviceName} ${a.localPort}:${a.port}, then ${http ? "open" : "connect to"} ${address("localhost", a.localPort)}`;
    }
}

/** accessInstructions for a Service, from its live name, node port and load balancer address. */
export function serviceAccess(
    service: k8s.core.v1.Service,
    how: Pick<ServiceAccess, "type" | "port" | "nodeAddress" | "localPort" | "protocol">,
): pulumi.Output<string> {
    return pulumi
        .all([service.metadata.namespace, service.metadata.name, service.spec.ports, service.status])
        .apply(([namespace, serviceName, ports, status]) =>
            accessInstructions({
                ...how,
                namespace,
                serviceName,
                nodePort: ports?.[0]?.nodePort,
                loadBalancerAddress: status?.loadBalancer?.ingress?.[0]?.ip ?? status?.loadBalancer?.ingress?.[0]?.hostname,
            }),
        );
}
