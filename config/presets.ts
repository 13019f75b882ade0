// Presets: `{ preset: postgres }` in devkube:apps is a whole database. A preset is the app entry a
// person would otherwise write, merged under what they do write, plus how other apps connect to it.

export const PRESETS = ["postgres", "redis"] as const;
export type PresetName = (typeof PRESETS)[number];

/** The variable that carries a preset's password; its value comes from a Pulumi secret config key. */
export const PASSWORD_VARIABLE: Record<PresetName, string> = {
    postgres: "POSTGRES_PASSWORD",
    redis: "REDIS_PASSWORD",
};

/** The secret config key a preset reads its password from unless the entry names another. */
export function defaultPasswordKey(appName: string): string {
    return `devkube:${appName}Password`;
}

/**
 * The app entry a preset stands for. Images: the official postgres and redis images, whose tags are
 * published for linux/amd64 and linux/arm64 (arm64v8), so the same entry runs on a Pi.
 */
export function presetEntry(preset: PresetName, appName: string): Record<string, unknown> {
    switch (preset) {
        case "postgres":
            return {
                image: "postgres:17.2-alpine",
                ports: [5432],
                expose: "ClusterIP",
                replicas: 1,
                strategy: "Recreate",
                env: {
                    POSTGRES_USER: "devkube",
                    POSTGRES_DB: appName,
                    // A fresh ext4 volume has lost+found at its root, which initdb refuses: use a subdirectory.
                    PGDATA: "/var/lib/postgresql/data/pgdata",
                },
                secretEnv: { POSTGRES_PASSWORD: defaultPasswordKey(appName) },
                volume: { size: "5Gi", mountPath: "/var/lib/postgresql/data" },
                // Over TCP: during initdb the entrypoint's temporary server listens on the socket only,
                // so this turns ready when the real server does.
                probeCommand: ["pg_isready", "-h", "127.0.0.1", "-U", "devkube"],
                resources: { cpu: "100m", memory: "256Mi", cpuLimit: "400m", memoryLimit: "512Mi" },
            };
        case "redis":
            return {
                image: "redis:7.4.1-alpine",
                // args, not command: the image's entrypoint then drops from root to the redis user.
                // $(REDIS_PASSWORD) is expanded by the kubelet from the container's env (the Secret).
                args: ["redis-server", "--appendonly", "yes", "--dir", "/data", "--requirepass", "$(REDIS_PASSWORD)"],
                ports: [6379],
                expose: "ClusterIP",
                replicas: 1,
                strategy: "Recreate",
                secretEnv: { REDIS_PASSWORD: defaultPasswordKey(appName) },
                volume: { size: "1Gi", mountPath: "/data" },
                probeCommand: ["sh", "-c", 'redis-cli -a "$REDIS_PASSWORD" --no-auth-warning ping | grep -q PONG'],
                resources: { cpu: "50m", memory: "64Mi", cpuLimit: "200m", memoryLimit: "256Mi" },
            };
    }
}

/** Fields merged key by key (the preset's map, then the entry's); every other field the entry replaces. */
const MERGED_FIELDS = ["env", "secretEnv", "resources", "volume"];

export function withPreset(preset: PresetName, entry: Record<string, unknown>): Record<string, unknown> {
    const name = typeof entry.name === "string" ? entry.name : preset;
    const base = presetEntry(preset, name);
    const merged: Record<string, unknown> = { ...base, ...entry, name };
    for (const field of MERGED_FIELDS) {
        const own = entry[field];
        if (typeof own === "object" && own !== null && !Array.isArray(own)) {
            merged[field] = { ...(base[field] as object | undefined), ...own };
        }
    }
    return merged;
}

export interface ConnectionTarget {
    readonly preset: PresetName;
    /** The Service's name and namespace: pods reach it as <name>.<namespace>.svc. */
    readonly service: string;
    readonly namespace: string;
    readonly port: number;
    readonly password: string;
    /** The app's plain settings (POSTGRES_USER, POSTGRES_DB). */
    readonly env: Record<string, string>;
}

/** The variables an app that `uses` a preset gets: the usual names its client libraries read. */
export function connectionEnv(c: ConnectionTarget): Record<string, string> {
    const host = `${c.service}.${c.namespace}.svc`;
    const password = encodeURIComponent(c.password);
    switch (c.preset) {
        case "postgres": {
            const user = c.env.POSTGRES_USER ?? "postgres";
            const database = c.env.POSTGRES_DB ?? user;
            return {
                DATABASE_URL: `postgresql://${encodeURIComponent(user)}:${password}@${host}:${c.port}/${encodeURIComponent(database)}`,
                PGHOST: host,
                PGPORT: String(c.port),
                PGUSER: user,
                PGPASSWORD: c.password,
                PGDATABASE: database,
            };
        }
        case "redis":
            return {
                // "default" as the user: redis-cli 7.0 and some client libraries fail AUTH on an empty user name.
                REDIS_URL: `redis://default:${password}@${host}:${c.port}/0`,
                REDIS_HOST: host,
                REDIS_PORT: String(c.port),
                REDIS_PASSWORD: c.password,
            };
    }
}

/** The variable whose value is the whole connection string: the stack output for that app. */
export const CONNECTION_URL: Record<PresetName, string> = { postgres: "DATABASE_URL", redis: "REDIS_URL" };
