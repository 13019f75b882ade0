// SSH for desktop IDEs: an sshd beside the editor, in its pod, on the share, as the share's user.
// Keys only; reached through `kubectl port-forward`, never through a Service.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { IMAGES } from "./images";
import { CACHE_ENV, NO_ESCALATION, SIZES, WORKSPACE_MOUNT, containerResources } from "./kube";
import { SHARE_UID } from "./nfs-server";
import { SHARE_OWN_DIR } from "../contract/identity";

export const SSH_CONTAINER = "ssh";
export const SSH_PORT = 2222;
/** The login name: the share's squashed user, whose home is the share, so a login starts in the code. */
export const SSH_USER = "dev";
const CONFIG_DIR = "/etc/devkube/ssh";
/** On the share, so the host key survives the night and a known_hosts entry stays valid. */
export const HOST_KEY_DIR = `${WORKSPACE_MOUNT}/${SHARE_OWN_DIR}/ssh`;
const HOST_KEY = `${HOST_KEY_DIR}/ssh_host_ed25519_key`;
/** The image's sshd, built with PAM (Alpine's openssh-server-pam); devkube turns PAM off. */
const SSHD = "/usr/sbin/sshd.pam";

/** sshd's whole configuration: nothing of the image's /etc/ssh is read. */
export function sshdConfig(): string {
    return [
        `Port ${SSH_PORT}`,
        `HostKey ${HOST_KEY}`,
        // Not root: no pid file under /run, no PAM, and only the user sshd runs as can log in.
        "PidFile none",
        "UsePAM no",
        `AllowUsers ${SSH_USER}`,
        "PermitRootLogin no",
        "AuthenticationMethods publickey",
        "PubkeyAuthentication yes",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        `AuthorizedKeysFile ${CONFIG_DIR}/authorized_keys`,
        // StrictModes refuses keys in a directory others can write; the kubelet makes a ConfigMap's mount
        // directory writable by all, and the files in it are read-only mounts nobody in the pod can change.
        "StrictModes no",
        "PermitUserEnvironment no",
        // Desktop IDEs tunnel to their server in the pod (local forwarding); nothing opens a port in the pod.
        "AllowTcpForwarding local",
        "GatewayPorts no",
        "PermitTunnel no",
        "X11Forwarding no",
        "Subsystem sftp internal-sftp",
        // A session starts with a clean environment: give it the package caches every workload uses.
        `SetEnv ${CACHE_ENV.map((e) => `${e.name}=${e.value}`).join(" ")}`,
        "",
    ].join("\n");
}

/** /etc/passwd in the sshd's container: the image has no user with the share's uid. */
export function passwdFile(): string {
    return ["root:x:0:0:root:/root:/sbin/nologin", `${SSH_USER}:x:${SHARE_UID}:${SHARE_UID}:devkube:${WORKSPACE_MOUNT}:/bin/sh`, ""].join("\n");
}

/** Makes the host key once (written aside, then moved, so a stop half-way leaves no broken key), then runs sshd. */
export const SSHD_START = [
    "set -eu",
    `mkdir -p ${HOST_KEY_DIR} && chmod 700 ${HOST_KEY_DIR}`,
    `if [ ! -f ${HOST_KEY} ]; then`,
    `  rm -f ${HOST_KEY_DIR}/new ${HOST_KEY_DIR}/new.pub`,
    `  ssh-keygen -q -t ed25519 -N "" -C "devkube editor" -f ${HOST_KEY_DIR}/new`,
    `  mv ${HOST_KEY_DIR}/new.pub ${HOST_KEY}.pub && mv ${HOST_KEY_DIR}/new ${HOST_KEY}`,
    "fi",
    `exec ${SSHD} -D -e -f ${CONFIG_DIR}/sshd_config`,
].join("\n");

/**
 * Whether sshd listens, read from the kernel's socket table: a TCP probe's connection would make sshd log
 * a failed key exchange every few seconds, burying real ones in `kubectl logs`.
 */
const LISTENING = ["/bin/sh", "-c", `grep -qE ':${SSH_PORT.toString(16).toUpperCase().padStart(4, "0")} [0-9A-F]+:0000 0A' /proc/net/tcp /proc/net/tcp6`];

/** What turns the sshd on: the public keys it accepts, and the name ~/.ssh/config knows it by. */
export interface SshArgs {
    readonly keys: readonly string[];
    readonly host: string;
}

export interface SshPieces {
    readonly container: k8s.types.input.core.v1.Container;
    readonly volume: k8s.types.input.core.v1.Volume;
}

/** The sshd container and its ConfigMap volume; a new key list is a new ConfigMap, which rolls the pod. */
export function sshSidecar(name: string, namespace: pulumi.Input<string>, keys: readonly string[], labels: Record<string, string>, parent: pulumi.Resource): SshPieces {
    const config = new k8s.core.v1.ConfigMap(
        `${name}-ssh`,
        {
            metadata: { namespace, labels },
            data: { sshd_config: sshdConfig(), authorized_keys: keys.map((key) => key.trim()).join("\n") + "\n", passwd: passwdFile() },
        },
        { parent },
    );
    return {
        volume: { name: "ssh-config", configMap: { name: config.metadata.name } },
        container: {
            name: SSH_CONTAINER,
            image: IMAGES.ssh,
            command: ["/bin/sh", "-c", SSHD_START],
            ports: [{ name: "ssh", containerPort: SSH_PORT }],
            resources: containerResources(SIZES.ssh),
            securityContext: { ...NO_ESCALATION, runAsUser: SHARE_UID, runAsGroup: SHARE_UID, runAsNonRoot: true, capabilities: { drop: ["ALL"] } },
            readinessProbe: { exec: { command: LISTENING }, periodSeconds: 10 },
            livenessProbe: { exec: { command: LISTENING }, initialDelaySeconds: 10, periodSeconds: 30 },
            volumeMounts: [
                { name: "share", mountPath: WORKSPACE_MOUNT },
                { name: "ssh-config", mountPath: CONFIG_DIR, readOnly: true },
                { name: "ssh-config", mountPath: "/etc/passwd", subPath: "passwd", readOnly: true },
            ],
        },
    };
}

/** The outputs: the port-forward to leave running, and the ~/.ssh/config entry that matches it. */
export function sshAccess(namespace: string, deployment: string, host: string): { portForward: string; config: string } {
    return {
        portForward: `kubectl -n ${namespace} port-forward deploy/${deployment} ${SSH_PORT}:${SSH_PORT}`,
        config: [
            `Host ${host}`,
            "  HostName 127.0.0.1",
            `  Port ${SSH_PORT}`,
            `  User ${SSH_USER}`,
            // Known by this name, not as 127.0.0.1:2222, which every forwarded environment shares.
            `  HostKeyAlias ${host}`,
        ].join("\n"),
    };
}
