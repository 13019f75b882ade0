import { strict as assert } from "assert";
import { parseApps } from "../config/apps";
import { environmentNeeds } from "../config/needs";

const apps = (entries: unknown[]) => {
    const parsed = parseApps(entries, { exists: () => true, isSecret: () => true });
    assert.deepEqual(parsed.problems, []);
    return parsed.apps;
};

describe("what an environment needs, counted once (quota, maxPods, cost)", () => {
    it("devkube alone: its own pods and claims; node ports only when the web server is not ClusterIP", () => {
        const own = environmentNeeds("ClusterIP", []);
        assert.deepEqual([own.appPods, own.pods, own.nodePorts, own.loadBalancers, own.claims, own.appVolumeGib], [0, 8, 0, 0, 2, 0]);
        assert.equal(environmentNeeds("NodePort", []).nodePorts, 2);
        assert.deepEqual([environmentNeeds("LoadBalancer", []).nodePorts, environmentNeeds("LoadBalancer", []).loadBalancers], [2, 1]);
    });
    it("apps: pods through a rolling update, each exposed port, load balancers, volumes and their GiB", () => {
        const needs = environmentNeeds(
            "NodePort",
            apps([
                { name: "api", image: "node:22.12.0-alpine", replicas: 4, ports: [3000, 9229], expose: "NodePort", resources: { cpu: "100m", memory: "64Mi" } },
                { name: "shop", image: "node:22.12.0-alpine", ports: [8080], expose: "LoadBalancer" },
                { name: "db", preset: "postgres", volume: { size: "5Gi" } },
            ]),
        );
        // api: 4 replicas + 1 surge; shop 1 + 1; db (Recreate) 1.
        assert.deepEqual([needs.appPods, needs.pods], [8, 16]);
        assert.deepEqual([needs.nodePorts, needs.loadBalancers, needs.claims, needs.appVolumeGib], [2 + 2 + 1, 1, 3, 5]);
        assert.ok(needs.appDemand.cpuRequest >= 5 * 0.1, `${needs.appDemand.cpuRequest} cores requested`);
    });
});
