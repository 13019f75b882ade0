import { strict as assert } from "assert";
import { isCronExpression, isPinnedImage, quantityValue } from "../config/apps";
import { PRESETS, connectionEnv, presetEntry, withPreset } from "../config/presets";

describe("presets: what { preset: postgres } stands for", () => {
    it("names the app after the preset unless the entry names it", () => {
        assert.equal(withPreset("postgres", { preset: "postgres" }).name, "postgres");
        assert.equal(withPreset("redis", { preset: "redis", name: "cache" }).name, "cache");
    });
    it("merges env, secretEnv, resources and volume key by key; the entry wins", () => {
        const merged = withPreset("postgres", {
            name: "db",
            env: { POSTGRES_DB: "shop" },
            volume: { size: "20Gi" },
            resources: { memoryLimit: "1Gi" },
            secretEnv: { POSTGRES_PASSWORD: "devkube:shopDbPassword" },
        });
        assert.deepEqual(merged.env, { POSTGRES_USER: "devkube", POSTGRES_DB: "shop", PGDATA: "/var/lib/postgresql/data/pgdata" });
        assert.deepEqual(merged.volume, { size: "20Gi", mountPath: "/var/lib/postgresql/data" });
        assert.deepEqual(merged.resources, { cpu: "100m", memory: "256Mi", cpuLimit: "400m", memoryLimit: "1Gi" });
        assert.deepEqual(merged.secretEnv, { POSTGRES_PASSWORD: "devkube:shopDbPassword" });
    });
    it("pins every preset image to an explicit tag, runs one Recreate replica on its own volume", () => {
        for (const preset of PRESETS) {
            const entry = presetEntry(preset, "x");
            assert.ok(isPinnedImage(String(entry.image)), String(entry.image));
            assert.equal(entry.replicas, 1);
            assert.equal(entry.strategy, "Recreate");
            assert.ok((entry.volume as { size: string }).size);
            assert.ok((entry.probeCommand as string[]).length > 0);
        }
    });
    it("builds connection strings with the password URL-encoded", () => {
        const pg = connectionEnv({
            preset: "postgres",
            service: "db",
            namespace: "devkube",
            port: 5432,
            password: "p@ss:w/rd",
            env: { POSTGRES_USER: "devkube", POSTGRES_DB: "shop" },
        });
        assert.equal(pg.DATABASE_URL, "postgresql://devkube:p%40ss%3Aw%2Frd@db.devkube.svc:5432/shop");
        assert.equal(pg.PGPASSWORD, "p@ss:w/rd");
        const redis = connectionEnv({ preset: "redis", service: "cache", namespace: "dev", port: 6379, password: "a b", env: {} });
        assert.deepEqual(redis, { REDIS_URL: "redis://default:a%20b@cache.dev.svc:6379/0", REDIS_HOST: "cache.dev.svc", REDIS_PORT: "6379", REDIS_PASSWORD: "a b" });
    });
});

describe("apps: cron expressions and quantities", () => {
    it("accepts what Kubernetes CronJobs take: steps, ranges, lists, names, macros", () => {
        for (const ok of ["*/5 * * * *", "0 9 * * mon-fri", "0 0 1,15 * *", "30 2 * jan-mar sun", "0 */2 * * 1-5", "@daily", "0 0 * * 7"]) {
            assert.ok(isCronExpression(ok), ok);
        }
    });
    it("rejects values out of range, backwards ranges and other shapes", () => {
        for (const bad of ["60 9 * * *", "0 24 * * *", "0 0 0 * *", "0 0 * 13 *", "0 0 * * 8", "0 9-5 * * *", "*/0 * * * *", "every 5 minutes", "* * * *"]) {
            assert.ok(!isCronExpression(bad), bad);
        }
    });
    it("reads quantities in cores and bytes", () => {
        assert.equal(quantityValue("250m"), 0.25);
        assert.equal(quantityValue("1"), 1);
        assert.equal(quantityValue("256Mi"), 256 * 1024 ** 2);
        assert.equal(quantityValue("1G"), 1e9);
        assert.equal(quantityValue("lots"), undefined);
    });
});
