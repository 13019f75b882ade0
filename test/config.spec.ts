import { strict as assert } from "assert";
import { ConfigError, ConfigKey, RawConfig, parseSize } from "../config";
import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import { checkSettings, configBlock, mergeSettings, withConfigBlock } from "../config/schema";
import { SETTINGS, keptData, parseConfig } from "../targets";
import { stackConfigValues } from "./harness";

function raw(values: Partial<Record<ConfigKey, string>>, options: { token?: boolean; secrets?: ConfigKey[]; extraKeys?: string[] } = {}): RawConfig {
    return {
        get: (key) => values[key],
        isSecret: (key) => (options.secrets ?? []).includes(key),
        keys: () => [...Object.keys(values).map((key) => `devkube:${key}`), ...(options.extraKeys ?? [])],
        hasDigitalOceanToken: options.token ?? false,
    };
}

function problemsOf(values: Partial<Record<ConfigKey, string>>, options?: { token?: boolean; secrets?: ConfigKey[]; extraKeys?: string[] }): string[] {
    try {
        parseConfig(raw(values, options));
    } catch (error) {
        assert.ok(error instanceof ConfigError, `expected ConfigError, got ${error}`);
        return error.problems;
    }
    assert.fail("expected the config to be rejected");
}

describe("config: sizes", () => {
    it("parses whole Gi and Ti", () => {
        assert.deepEqual(parseSize("10Gi"), { quantity: "10Gi", gib: 10 });
        assert.deepEqual(parseSize("2Ti"), { quantity: "2Ti", gib: 2048 });
    });
    for (const bad of ["10Gx", "10G", "0Gi", "-1Gi", "1.5Gi", "", "Gi", "10 Gi", "010Gi"]) {
        it(`rejects ${JSON.stringify(bad)}`, () => assert.equal(parseSize(bad), undefined));
    }
});

describe("config: valid stacks", () => {
    it("defaults to minikube with NodePort and the fast-edit mount options", () => {
        const config = parseConfig(raw({}));
        assert.equal(config.target.kind, "minikube");
        assert.equal(config.webServiceType, "NodePort");
        assert.deepEqual(config.nfsMountOptions, ["nfsvers=4.1", "hard", "actimeo=1", "lookupcache=positive"]);
        assert.deepEqual(config.target, { kind: "minikube", kubeContext: "minikube", hostPath: "/data/devkube", appDataPath: "/data/devkube-apps" });
    });
    it("keeps DigitalOcean private by default", () => {
        const config = parseConfig(raw({ target: "digitalocean" }, { token: true }));
        assert.equal(config.webServiceType, "ClusterIP");
        assert.deepEqual(config.target, {
            kind: "digitalocean",
            region: "fra1",
            nodeSize: "s-2vcpu-4gb",
            nodeCount: 2,
            kubernetesVersion: "",
            awakeSchedule: { text: "mon-fri 08:00-19:00", days: [0, 1, 2, 3, 4], startMinute: 480, endMinute: 1140 },
            timeZone: "Etc/UTC",
            snapshotsToKeep: 0,
            volumeSnapshotId: "",
            environmentId: "",
        });
    });
    it("takes mount options from config", () => {
        const config = parseConfig(raw({ nfsMountOptions: '["nfsvers=4.2","actimeo=3"]' }));
        assert.deepEqual(config.nfsMountOptions, ["nfsvers=4.2", "actimeo=3"]);
    });
    it("reads an existing export on bare metal", () => {
        const config = parseConfig(raw({ target: "baremetal", baremetalMode: "existing-export", nfsServer: "192.168.1.20", nfsPath: "/srv/nfs" }));
        assert.deepEqual(config.target, {
            kind: "baremetal",
            kubeContext: "default",
            storage: { mode: "existing-export", server: "192.168.1.20", path: "/srv/nfs" },
        });
    });
    it("kubeconfig (any existing cluster): the current context and the default class unless named; private by default; a LoadBalancer if asked", () => {
        const config = parseConfig(raw({ target: "kubeconfig" }));
        assert.equal(config.webServiceType, "ClusterIP");
        assert.deepEqual(config.target, { kind: "kubeconfig", kubeContext: "", storageClass: "" });
        const named = parseConfig(raw({ target: "kubeconfig", kubeContext: "gke_acme_europe-west3_dev", storageClass: "premium-rwo", webServiceType: "LoadBalancer" }));
        assert.deepEqual(named.target, { kind: "kubeconfig", kubeContext: "gke_acme_europe-west3_dev", storageClass: "premium-rwo" });
        assert.equal(named.webServiceType, "LoadBalancer");
    });
    it("kubeconfig: refuses a class name Kubernetes would refuse, and says where to look", () => {
        assert.deepEqual(problemsOf({ target: "kubeconfig", storageClass: "Fast SSD" }), [
            'devkube:storageClass: got "Fast SSD"; use the name of a storage class of the cluster as `kubectl get storageclass` lists it (e.g. standard, gp3, local-path), or leave empty for the cluster\'s default',
        ]);
    });
    it("names every target when devkube:target is unknown, the new one included", () => {
        assert.deepEqual(problemsOf({ target: "kind" }), ['devkube:target: got "kind"; allowed: digitalocean, minikube, baremetal, kubeconfig']);
    });
    it("accepts the IDE with a secret password", () => {
        const config = parseConfig(raw({ ide: "true", idePassword: "correct horse" }, { secrets: ["idePassword"] }));
        assert.equal(config.ide, true);
    });
});

describe("config: every bad value is named with what is allowed", () => {
    const cases: Array<[string, Partial<Record<ConfigKey, string>>, { token?: boolean; secrets?: ConfigKey[] }, RegExp]> = [
        ["unknown target", { target: "aws" }, {}, /devkube:target: got "aws"; allowed: digitalocean, minikube, baremetal/],
        ["malformed size", { workspaceSize: "10Gx" }, {}, /devkube:workspaceSize: got "10Gx"; use a whole number of Gi or Ti/],
        ["node count 0", { target: "digitalocean", doNodeCount: "0" }, { token: true }, /devkube:doNodeCount: got "0"; use a whole number of nodes from 1 to 100/],
        ["node count -3", { target: "digitalocean", doNodeCount: "-3" }, { token: true }, /devkube:doNodeCount: got "-3"/],
        ["node count 1.5", { target: "digitalocean", doNodeCount: "1.5" }, { token: true }, /devkube:doNodeCount: got "1.5"/],
        ["missing DigitalOcean token", { target: "digitalocean" }, {}, /digitalocean:token: not set; .*pulumi config set --secret digitalocean:token/],
        ["bad region", { target: "digitalocean", doRegion: "Frankfurt 1" }, { token: true }, /devkube:doRegion: got "Frankfurt 1"; use a DigitalOcean region slug/],
        ["bad DOKS version", { target: "digitalocean", doKubernetesVersion: "latest" }, { token: true }, /devkube:doKubernetesVersion: got "latest"/],
        ["missing storage node", { target: "baremetal", diskPath: "/mnt/usb/devkube" }, {}, /devkube:storageNode: got ""; set the node name/],
        ["missing disk path", { target: "baremetal", storageNode: "odroid-1" }, {}, /devkube:diskPath: got ""; set the absolute directory/],
        ["relative disk path", { target: "baremetal", storageNode: "odroid-1", diskPath: "mnt/usb" }, {}, /devkube:diskPath: got "mnt\/usb"/],
        ["export without a server", { target: "baremetal", baremetalMode: "existing-export", nfsPath: "/srv/nfs" }, {}, /devkube:nfsServer: got ""; devkube:baremetalMode=existing-export mounts an NFS export/],
        ["export without a path", { target: "baremetal", baremetalMode: "existing-export", nfsServer: "nas.local" }, {}, /devkube:nfsPath: got ""/],
        ["unknown bare-metal mode", { target: "baremetal", baremetalMode: "usb" }, {}, /devkube:baremetalMode: got "usb"; allowed: local-disk, existing-export/],
        ["unknown service type", { webServiceType: "Ingress" }, {}, /devkube:webServiceType: got "Ingress"; allowed: ClusterIP, NodePort, LoadBalancer/],
        ["LoadBalancer on minikube", { webServiceType: "LoadBalancer" }, {}, /devkube:webServiceType: got "LoadBalancer"; minikube gives a LoadBalancer no address/],
        ["bad namespace", { namespace: "Dev_Kube" }, {}, /devkube:namespace: got "Dev_Kube"; use a lowercase DNS label/],
        ["mount options not a list", { nfsMountOptions: "actimeo=1" }, {}, /devkube:nfsMountOptions: got "actimeo=1"; use a JSON list/],
        ["mount option with a comma", { nfsMountOptions: '["actimeo=1,hard"]' }, {}, /^devkube:nfsMountOptions\[0\]: got "actimeo=1,hard"; each entry is one option without spaces or commas/],
        ["minikube path that is wiped on restart", { minikubeHostPath: "/home/docker/code" }, {}, /devkube:minikubeHostPath: got "\/home\/docker\/code"; use a directory under one that minikube keeps/],
        ["ide without password", { ide: "true" }, {}, /devkube:idePassword: not set; .*pulumi config set --secret devkube:idePassword/],
        ["ide password in plain text", { ide: "true", idePassword: "hunter2hunter2" }, {}, /devkube:idePassword: is stored in plain text; set it again with --secret/],
        ["pod quota too small", { maxPods: "2" }, {}, /devkube:maxPods: got "2"; use a whole number of pods from 5 to 1000/],
        ["schedule that is not one", { target: "digitalocean", awakeSchedule: "weekdays" }, { token: true }, /devkube:awakeSchedule: got "weekdays"/],
        ["time zone that is not one", { target: "digitalocean", timeZone: "CET+1" }, { token: true }, /devkube:timeZone: got "CET\+1"; use an IANA time zone such as Europe\/Berlin/],
        ["ide not a boolean", { ide: "yes" }, {}, /devkube:ide: got "yes"; allowed: true, false/],
        ["pod quota not a number", { maxPods: "lots" }, {}, /^devkube:maxPods: got "lots"; use a whole number of pods/],
        ["snapshots above the limit", { target: "digitalocean", doSnapshotsToKeep: "51" }, { token: true }, /^devkube:doSnapshotsToKeep: got "51"; use a whole number from 0/],
        ["an environment id with capitals", { target: "digitalocean", doEnvironmentId: "Team-A" }, { token: true }, /^devkube:doEnvironmentId: got "Team-A"; use 6 to 32 lowercase letters and digits/],
        ["apps that are not JSON", { apps: "[{name: hello" }, {}, /^devkube:apps: got "\[\{name: hello"; use a list of apps, e\.g\./],
        ["apps that are one object, not a list", { apps: '{"name":"hello"}' }, {}, /^devkube:apps: got "\{\\"name\\":\\"hello\\"\}"; use a list of apps/],
        ["an app that is not an object", { apps: '["hello"]' }, {}, /^devkube:apps\[0\]: got "hello"; each app is an object with at least name and image/],
    ];
    for (const [title, values, options, expected] of cases) {
        it(title, () => {
            const problems = problemsOf(values, options);
            assert.ok(problems.some((p) => expected.test(p)), `no problem matched ${expected}: ${JSON.stringify(problems)}`);
        });
    }

    it("reports every problem at once", () => {
        const problems = problemsOf({ target: "baremetal", workspaceSize: "big", namespace: "UPPER" });
        assert.equal(problems.length, 4, JSON.stringify(problems));
    });

    it("says nothing was changed", () => {
        assert.throws(() => parseConfig(raw({ target: "gcp" })), /devkube stack config has 1 problem; nothing was changed/);
    });
});

describe("config: keys that are not devkube settings", () => {
    it("refuses a misspelled key, naming the nearest setting", () => {
        assert.deepEqual(problemsOf({}, { extraKeys: ["devkube:workspaceSzie"] }), [
            "devkube:workspaceSzie: is not a devkube setting (did you mean devkube:workspaceSize?); settings are declared in Pulumi.yaml; a key no app names any more: pulumi config rm devkube:workspaceSzie",
        ]);
        assert.match(problemsOf({}, { extraKeys: ["devkube:IDE"] })[0], /did you mean devkube:ide\?/);
        assert.match(problemsOf({}, { extraKeys: ["devkube:webservicetype"] })[0], /did you mean devkube:webServiceType\?/);
    });
    it("allows the secret keys apps name in secretEnv, and a preset's default password key", () => {
        const apps = JSON.stringify([
            { name: "api", image: "node:22.12.0-alpine", command: ["node", "a.js"], secretEnv: { TOKEN: "devkube:apiToken" } },
            { name: "db", preset: "postgres" },
        ]);
        const options = { extraKeys: ["devkube:apiToken", "devkube:dbPassword", "digitalocean:token", "kubernetes:context"] };
        const problems = (() => {
            try {
                parseConfig({ ...raw({ apps }, options), other: { exists: () => true, isSecret: () => true } });
                return [];
            } catch (error) {
                return (error as ConfigError).problems;
            }
        })();
        assert.deepEqual(problems, []);
    });
});

describe("config: one schema, Pulumi.yaml generated from it", () => {
    it("Pulumi.yaml's config block is the one the settings generate (npm run config:yaml)", () => {
        const file = fs.readFileSync(path.join(__dirname, "..", "Pulumi.yaml"), "utf8");
        assert.equal(file, withConfigBlock(file, configBlock(SETTINGS)), "Pulumi.yaml is behind the settings: npm run config:yaml");
    });
    it("declares every key the code reads, with its default, type and description", () => {
        const declared = stackConfigValues("minikube");
        for (const key of Object.keys(SETTINGS)) {
            assert.ok(`devkube:${key}` in declared, `devkube:${key} is not declared in Pulumi.yaml`);
        }
        assert.equal(declared["devkube:maxPods"], "40");
        assert.equal(declared["devkube:nfsMountOptions"], JSON.stringify(["nfsvers=4.1", "hard", "actimeo=1", "lookupcache=positive"]));
        const block = configBlock({ maxPods: SETTINGS.maxPods, nfsMountOptions: SETTINGS.nfsMountOptions, apps: SETTINGS.apps });
        assert.match(block, /devkube:maxPods:\n {4}type: integer\n/);
        assert.match(block, /devkube:nfsMountOptions:\n {4}type: array\n {4}items:\n {6}type: string\n/);
        assert.match(block, /devkube:apps:\n {4}type: array\n {4}items:\n {6}type: object\n/);
    });
    it("a key two targets read is one declaration; two different ones under one key are refused", () => {
        const one = z.string().default("").meta({ description: "a" });
        assert.deepEqual(Object.keys(mergeSettings({ kubeContext: one }, { kubeContext: one })), ["kubeContext"]);
        assert.throws(
            () => mergeSettings({ kubeContext: one }, { kubeContext: z.string().default("x").meta({ description: "b" }) }),
            /devkube:kubeContext is declared twice with different schemas/,
        );
    });
    it("reads each value as its declared type (Pulumi hands over strings) and reports every bad key with its own rule", () => {
        const settings = {
            count: z.int("use a whole number").min(1, "use a whole number").default(2).meta({ description: "n" }),
            on: z.boolean("allowed: true, false").default(false).meta({ description: "b" }),
            name: z.string().regex(/^[a-z]+$/, "lowercase letters").default("x").meta({ description: "s" }),
            list: z.array(z.string().regex(/^\S+$/, "one word each"), "a JSON list").default([]).meta({ description: "l" }),
        };
        const values: Record<string, string> = { count: "3", on: "true", name: "  abc ", list: '["a","b"]' };
        assert.deepEqual(checkSettings(settings, (key) => values[key]).values, { count: 3, on: true, name: "abc", list: ["a", "b"] });
        const bad: Record<string, string> = { count: "1e3", on: "yes", name: "ABC", list: '["a b"]' };
        const checked = checkSettings(settings, (key) => bad[key]);
        assert.deepEqual(checked.problems, [
            'devkube:count: got "1e3"; use a whole number',
            'devkube:on: got "yes"; allowed: true, false',
            'devkube:name: got "ABC"; lowercase letters',
            'devkube:list[0]: got "a b"; one word each',
        ]);
        assert.deepEqual([...checked.bad], ["count", "on", "name", "list"]);
        assert.deepEqual(checkSettings(settings, () => undefined).values, { count: 2, on: false, name: "x", list: [] });
    });
});

describe("config: where each target keeps a stack's data after a destroy (keptData)", () => {
    const apps = JSON.stringify([
        { name: "db", image: "postgres:17.2", volume: { size: "5Gi", mountPath: "/var/lib/postgresql/data" } },
        { name: "cache", image: "redis:7.4.1", volume: { size: "1Gi", mountPath: "/data", storageClass: "local-path" } },
        { name: "web2", image: "nginx:1.27.3" },
    ]);
    const kept = (values: Partial<Record<ConfigKey, string>>, token = false) => keptData(parseConfig(raw({ apps, ...values }, { token })), "s");
    const cacheClaim = { kind: "claim", namespace: "ns", name: "cache-data", app: "cache" };
    it("minikube: the host paths of the workspace and of each app's directory; a class's claim for the app that names one", () => {
        assert.deepEqual(kept({ namespace: "ns" }), [
            { kind: "disk", where: "host path /data/devkube" },
            { kind: "disk", where: "host path /data/devkube-apps/db", app: "db" },
            cacheClaim,
        ]);
    });
    it("home lab, local disk: the disk's directory (a local PV) and the apps' directories beside it", () => {
        assert.deepEqual(kept({ namespace: "ns", target: "baremetal", storageNode: "pi4", diskPath: "/mnt/usb/code", appDataPath: "/mnt/usb/apps" }), [
            { kind: "disk", where: "local path /mnt/usb/code" },
            { kind: "disk", where: "host path /mnt/usb/apps/db", app: "db" },
            cacheClaim,
        ]);
    });
    it("home lab, existing export: nothing of the export (it is the user's own); only the claims from a class", () => {
        const onExport = JSON.stringify([{ name: "cache", image: "redis:7.4.1", volume: { size: "1Gi", mountPath: "/data", storageClass: "local-path" } }]);
        assert.deepEqual(
            kept({ namespace: "ns", target: "baremetal", baremetalMode: "existing-export", nfsServer: "10.0.0.2", nfsPath: "/srv/code", apps: onExport }),
            [cacheClaim],
        );
    });
    it("DigitalOcean: the volumes by the names the program gives them, in the stack's region (a class is refused there)", () => {
        const onDo = JSON.stringify([{ name: "db", image: "postgres:17.2", volume: { size: "5Gi", mountPath: "/var/lib/postgresql/data" } }]);
        assert.deepEqual(kept({ namespace: "ns", target: "digitalocean", doRegion: "fra1", apps: onDo }, true), [
            { kind: "cloud-volume", name: "devkube-s-ns", region: "fra1" },
            { kind: "cloud-volume", name: "devkube-s-ns-db", region: "fra1", app: "db" },
        ]);
    });
    it("kubeconfig: the workspace's claim and every app's, all left in the cluster", () => {
        assert.deepEqual(kept({ namespace: "ns", target: "kubeconfig" }), [
            { kind: "claim", namespace: "ns", name: "workspace" },
            { kind: "claim", namespace: "ns", name: "db-data", app: "db" },
            cacheClaim,
        ]);
    });
});
